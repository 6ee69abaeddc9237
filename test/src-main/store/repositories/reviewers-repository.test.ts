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

describe('ReviewersRepository', () => {
  it('creates reviewers with unique names', () => {
    const grey = store.reviewers.create('  Dr Grey ');
    expect(grey.name).toBe('Dr Grey');
    expect(() => store.reviewers.create('Dr Grey')).toThrow(
      expect.objectContaining({ name: 'Conflict' }),
    );
    expect(() => store.reviewers.create('   ')).toThrow(
      expect.objectContaining({ name: 'InvalidRequest' }),
    );
    store.reviewers.create('Dr Adams');
    expect(store.reviewers.list().map((r) => r.name)).toEqual(['Dr Adams', 'Dr Grey']);
    expect(store.reviewers.findByName('Dr Grey')).toEqual(grey);
  });
});
