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

describe('JobsRepository', () => {
  const job = {
    id: 'job-1',
    kind: 'import' as const,
    title: 'Import 3 folders',
    state: 'running' as const,
    progress: 0.25,
    message: '10 of 40 files',
    error: null,
    params: { paths: ['/a'] },
    checkpoint: { done: 10 },
  };

  it('upserts, keeping createdAt and moving updatedAt', () => {
    const created = store.jobs.upsert(job);
    const updated = store.jobs.upsert({
      ...job,
      state: 'failed',
      progress: null,
      error: { name: 'Cancelled', message: 'stopped' },
    });
    expect(updated).toMatchObject({
      state: 'failed',
      progress: null,
      error: { name: 'Cancelled', message: 'stopped' },
      params: { paths: ['/a'] },
    });
    expect(updated.createdAt).toBe(created.createdAt);
    expect(updated.updatedAt > created.updatedAt).toBe(true);
    expect(store.jobs.get('job-1')).toEqual(updated);
    expect(store.jobs.get('nope')).toBeUndefined();
  });

  it('lists the newest first and the unfinished ones for a restart', () => {
    store.jobs.upsert(job);
    store.jobs.upsert({ ...job, id: 'job-2', state: 'succeeded', progress: 1, checkpoint: null });
    store.jobs.upsert({ ...job, id: 'job-3', state: 'queued', progress: null, checkpoint: null });
    expect(store.jobs.list().map((j) => j.id)).toEqual(['job-3', 'job-2', 'job-1']);
    expect(store.jobs.listUnfinished().map((j) => j.id)).toEqual(['job-1', 'job-3']);
  });

  it('refuses unknown states and progress outside 0..1', () => {
    expect(() => store.jobs.upsert({ ...job, state: 'exploded' as 'failed' })).toThrow(
      /CHECK constraint/,
    );
    expect(() => store.jobs.upsert({ ...job, progress: 1.5 })).toThrow(/CHECK constraint/);
  });
});
