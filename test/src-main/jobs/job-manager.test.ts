import { afterEach, describe, expect, it } from 'vitest';
import { JobInfo } from '../../../src-main/api/contract';
import { NormscopeError } from '../../../src-main/api/errors';
import { EventBus } from '../../../src-main/api/event-bus';
import { throwIfCancelled } from '../../../src-main/jobs/cancellation';
import {
  JobManager,
  type JobContext,
  type JobManagerOptions,
} from '../../../src-main/jobs/job-manager';
import { InMemoryJobPersistence, type JobPersistence } from '../../../src-main/jobs/persistence';
import { openStore, type Store } from '../../../src-main/store/store';

/** A manager whose every 'jobs.updated' event is checked against the contract and recorded. */
function manage(options: Partial<JobManagerOptions> = {}): {
  manager: JobManager;
  events: JobInfo[];
} {
  const bus = new EventBus();
  const events: JobInfo[] = [];
  bus.subscribe((event, payload) => {
    if (event === 'jobs.updated') events.push(JobInfo.parse(payload));
  });
  return { manager: new JobManager({ events: bus, progressIntervalMs: 50, ...options }), events };
}

function statesOf(events: JobInfo[], id: string): string[] {
  const states = events.filter((e) => e.id === id).map((e) => e.state);
  return states.filter((state, i) => state !== states[i - 1]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `events` holds one for `id` in `state` (events arrive synchronously, so polling is cheap). */
async function reach(events: JobInfo[], id: string, state: JobInfo['state']): Promise<JobInfo> {
  for (let waited = 0; waited < 5000; waited += 5) {
    const found = events.find((e) => e.id === id && e.state === state);
    if (found) return found;
    await sleep(5);
  }
  throw new Error(`job ${id} never reached ${state}`);
}

/** A run that only ends when its job is cancelled or paused. */
function untilStopped(ctx: JobContext): Promise<never> {
  return new Promise((_, reject) =>
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
  );
}

/** Ten steps of `stepMs`, checkpointing after each; resumes after the last checkpoint. */
function stepper(stepMs: number, log: number[]) {
  return async (ctx: JobContext): Promise<number> => {
    const from = ctx.resumeFrom === undefined ? 0 : (ctx.resumeFrom as { done: number }).done;
    for (let step = from + 1; step <= 10; step += 1) {
      await sleep(stepMs);
      throwIfCancelled(ctx.signal, 'stepper');
      log.push(step);
      ctx.checkpoint({ done: step });
      ctx.progress.report(step / 10, `step ${step}`);
    }
    return log.length;
  };
}

const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe('JobManager', () => {
  it('runs a job to success, announcing each change and throttling progress', async () => {
    const { manager, events } = manage();
    const { id, result } = manager.start({
      kind: 'import',
      title: 'Import 3 studies',
      run: async (ctx) => {
        for (let i = 1; i <= 1000; i += 1) ctx.progress.report(i / 1000, `file ${i}`);
        await sleep(20);
        return 'imported';
      },
    });
    await expect(result).resolves.toBe('imported');
    expect(statesOf(events, id)).toEqual(['queued', 'running', 'succeeded']);
    const progressEvents = events.filter((e) => e.state === 'running' && e.progress !== null);
    expect(progressEvents.length).toBeLessThanOrEqual(3);
    expect(manager.get(id)).toMatchObject({
      state: 'succeeded',
      progress: 1,
      message: 'file 1000',
      error: null,
    });
  });

  it('turns a thrown error into the job error value and rejects the result', async () => {
    const { manager } = manage();
    const { id, result } = manager.start({
      kind: 'score',
      title: 'Score study',
      run: async () => {
        throw new NormscopeError('Unavailable', 'backbone file model.onnx is missing');
      },
    });
    await expect(result).rejects.toThrow('backbone file model.onnx is missing');
    expect(manager.get(id)).toMatchObject({
      state: 'failed',
      error: { name: 'Unavailable', message: 'backbone file model.onnx is missing' },
    });
    const plain = manager.start({
      kind: 'score',
      title: 'Buggy',
      run: async () => JSON.parse('{') as unknown,
    });
    await expect(plain.result).rejects.toThrow();
    expect(manager.get(plain.id).error?.name).toBe('Internal');
  });

  it('cancels running and queued jobs, and refuses to cancel finished or unknown ones', async () => {
    const { manager, events } = manage();
    let sawAbort = false;
    const running = manager.start({
      kind: 'train',
      title: 'Train',
      run: (ctx) => {
        ctx.signal.addEventListener('abort', () => (sawAbort = true));
        return untilStopped(ctx);
      },
    });
    const queued = manager.start({ kind: 'train', title: 'Train again', run: async () => 'never' });
    await reach(events, running.id, 'running');
    expect(manager.get(queued.id).state).toBe('queued');

    expect(manager.cancel(queued.id).state).toBe('cancelled');
    expect(manager.cancel(running.id).message).toBe('Cancelling…');
    await expect(running.result).rejects.toMatchObject({ name: 'Cancelled' });
    await expect(queued.result).rejects.toMatchObject({ name: 'Cancelled' });
    expect(sawAbort).toBe(true);
    expect(manager.get(running.id)).toMatchObject({ state: 'cancelled', error: null });
    expect(statesOf(events, queued.id)).toEqual(['queued', 'cancelled']);

    expect(() => manager.cancel(running.id)).toThrow(/already been cancelled/);
    expect(() => manager.cancel('no-such-job')).toThrow(NormscopeError);
  });

  it('runs at most the configured number of jobs per kind at once', async () => {
    const { manager } = manage({ concurrency: { import: 2 } });
    let running = 0;
    let peak = 0;
    const run = async (): Promise<void> => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(30);
      running -= 1;
    };
    const imports = Array.from({ length: 5 }, (_, i) =>
      manager.start({ kind: 'import', title: `Import ${i}`, run }),
    );
    const exportJob = manager.start({
      kind: 'export',
      title: 'Export',
      run: async () => 'other kind',
    });
    expect(manager.get(exportJob.id).state).toBe('running');
    expect(
      manager.list().filter((job) => job.kind === 'import' && job.state === 'running'),
    ).toHaveLength(2);
    await Promise.all(imports.map((job) => job.result));
    expect(peak).toBe(2);
  });

  it('pauses a pausable job at its checkpoint and resumes it from there', async () => {
    const { manager, events } = manage();
    const log: number[] = [];
    const job = manager.start({
      kind: 'train',
      title: 'Train',
      pausable: true,
      run: stepper(20, log),
    });
    await expect.poll(() => log.length, { interval: 2 }).toBeGreaterThanOrEqual(3);
    manager.pause(job.id);
    await reach(events, job.id, 'paused');
    const stoppedAt = log.length;
    await sleep(60);
    expect(log).toHaveLength(stoppedAt); // nothing runs while paused

    manager.resume(job.id);
    await expect(job.result).resolves.toBe(10);
    expect(log).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // every step once: resumed after the checkpoint
    expect(statesOf(events, job.id)).toEqual([
      'queued',
      'running',
      'paused',
      'queued',
      'running',
      'succeeded',
    ]);

    const plain = manager.start({ kind: 'export', title: 'Export', run: untilStopped });
    expect(() => manager.pause(plain.id)).toThrow(/cannot be paused/);
    manager.cancel(plain.id);
  });

  it('after a shut-down and restart resumes unfinished jobs from their checkpoint and fails those nothing can resume', async () => {
    const persistence = new InMemoryJobPersistence();
    const { manager: before, events: beforeEvents } = manage({ persistence });
    const log: number[] = [];
    const train = before.start({
      kind: 'train',
      title: 'Train',
      params: { epochs: 10 },
      pausable: true,
      run: stepper(10, log),
    });
    const exportJob = before.start({ kind: 'export', title: 'Export report', run: untilStopped });
    await expect.poll(() => log.length, { interval: 2 }).toBeGreaterThanOrEqual(4);
    // the app closes mid-run (a crash would leave the same rows, minus the last checkpoint's wait)
    const queued = before.start({ kind: 'train', title: 'Train later', run: untilStopped });
    await before.shutdown();
    await expect(train.result).rejects.toMatchObject({ name: 'Cancelled' });
    expect(() => before.start({ kind: 'demo', title: 'Too late', run: untilStopped })).toThrow(
      /shutting down/,
    );
    const stored = persistence.get(train.id);
    expect(stored).toMatchObject({ state: 'running', checkpoint: { done: log.length } });
    expect(persistence.get(queued.id)?.state).toBe('queued');
    expect(beforeEvents.filter((e) => e.id === train.id).at(-1)?.state).toBe('running');

    const { manager: after, events } = manage({ persistence });
    const paramsSeen: unknown[] = [];
    const afterLogs: number[][] = [];
    const recovered = after.recover({
      train: (params) => {
        paramsSeen.push(params);
        afterLogs.push([]);
        return { run: stepper(1, afterLogs.at(-1)!), pausable: true };
      },
    });
    expect(recovered.map((job) => job.id).sort()).toEqual(
      [train.id, exportJob.id, queued.id].sort(),
    );
    expect(paramsSeen).toEqual([{ epochs: 10 }, {}]);
    expect(after.get(exportJob.id)).toMatchObject({
      state: 'failed',
      error: {
        name: 'Cancelled',
        message: '"Export report" was interrupted by a restart and cannot be resumed',
      },
    });
    await reach(events, train.id, 'succeeded');
    await reach(events, queued.id, 'succeeded');
    expect(afterLogs[0]![0]).toBe(log.length + 1); // continued after the last checkpoint
    expect(afterLogs[0]!.at(-1)).toBe(10);
    expect(afterLogs[1]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // never started: from the beginning
    expect(persistence.listUnfinished()).toEqual([]);
  });

  it('keeps its jobs in the SQLite store and recovers them from it', async () => {
    const store = openStore({ memory: true });
    stores.push(store);
    const persistence: JobPersistence = store.jobs;
    const before = manage({ persistence }).manager;
    const job = before.start({
      kind: 'import',
      title: 'Import folder',
      params: { folder: 'scans' },
      run: (ctx) => {
        ctx.checkpoint({ filesDone: 7 });
        ctx.progress.report(0.35, '7 of 20 files');
        return untilStopped(ctx);
      },
    });
    await expect.poll(() => store.jobs.get(job.id)?.progress).toBe(0.35);
    expect(store.jobs.get(job.id)).toMatchObject({
      state: 'running',
      progress: 0.35,
      checkpoint: { filesDone: 7 },
    });

    const { manager: after } = manage({ persistence });
    let resumedFrom: unknown;
    after.recover({
      import: (params) => ({
        run: async (ctx) => {
          resumedFrom = { params, checkpoint: ctx.resumeFrom };
        },
      }),
    });
    await expect.poll(() => after.get(job.id).state).toBe('succeeded');
    expect(resumedFrom).toEqual({ params: { folder: 'scans' }, checkpoint: { filesDone: 7 } });
    expect(store.jobs.get(job.id)?.state).toBe('succeeded');
    before.cancel(job.id);
  });
});
