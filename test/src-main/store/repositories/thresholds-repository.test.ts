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

describe('ThresholdsRepository', () => {
  it('versions thresholds per model: the current one is the latest, history keeps all', () => {
    const a = sampleModel(store, 'A');
    const b = sampleModel(store, 'B');
    const t1 = store.thresholds.append({
      modelVersionId: a.id,
      pixelThreshold: 0.1,
      imageThreshold: 0.5,
      method: { kind: 'normal-fpr', target: 0.01 },
      createdBy: 'system',
    });
    store.thresholds.append({
      modelVersionId: b.id,
      pixelThreshold: 9,
      imageThreshold: 9,
      method: {},
      createdBy: 'system',
    });
    const t2 = store.thresholds.append({
      modelVersionId: a.id,
      pixelThreshold: 0.2,
      imageThreshold: 0.6,
      method: { kind: 'operating-point' },
      createdBy: 'r1',
    });
    expect(store.thresholds.current(a.id)).toEqual(t2);
    expect(store.thresholds.history(a.id)).toEqual([t1, t2]);
    expect(() => store.db.prepare('UPDATE thresholds SET pixel_threshold = 0').run()).toThrow(
      /append-only/,
    );
  });
});
