import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import type { Store } from '../../../../src-main/store/store';

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

describe('SettingsRepository', () => {
  it('merges values and returns them all, surviving JSON round trips', () => {
    expect(store.settings.getAll()).toEqual({});
    store.settings.merge({ importMode: 'reference', threads: 4 });
    expect(store.settings.merge({ threads: 8, provider: 'cpu', ignored: undefined })).toEqual({
      importMode: 'reference',
      threads: 8,
      provider: 'cpu',
    });
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => store.settings.merge({ threads: Number.NaN })).toThrow(
      expect.objectContaining({ name: 'InvalidRequest' }),
    );
    expect(store.settings.getAll()).toEqual({});
  });
});
