import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import type { Store } from '../../../../src-main/store/store';
import { sampleModel } from '../fixtures/sample-model';

let store: Store;
let tick: number;
beforeEach(() => {
  tick = 0;
  // a clock that moves one second per reading, so orderings by time are deterministic
  store = openStore(
    { memory: true },
    { clock: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString() },
  );
});
afterEach(() => store.close());

describe('ModelsRepository', () => {
  it('keeps at most one model version active, also against direct writes', () => {
    const a = sampleModel(store, 'A');
    const b = sampleModel(store, 'B');
    expect(store.models.listBackbones()).toHaveLength(1); // the same backbone file is recorded once
    expect(store.models.activeModelVersion()).toBeUndefined();
    store.models.activate(a.id);
    expect(store.models.activate(b.id).active).toBe(true);
    expect(store.models.activeModelVersion()?.id).toBe(b.id);
    expect(store.models.getModelVersion(a.id)?.active).toBe(false);
    expect(() =>
      store.db.prepare('UPDATE model_versions SET active = 1 WHERE id = ?').run(a.id),
    ).toThrow(/UNIQUE/);
    expect(() => store.models.activate('missing')).toThrow(
      expect.objectContaining({ name: 'NotFound' }),
    );
  });
});
