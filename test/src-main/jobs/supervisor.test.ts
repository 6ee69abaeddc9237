import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NormscopeError } from '../../../src-main/api/errors';
import { EventBus } from '../../../src-main/api/event-bus';
import { forkWorker } from '../../../src-main/jobs/fork-worker';
import { JobManager } from '../../../src-main/jobs/job-manager';
import {
  WorkerSupervisor,
  type SupervisorOptions,
  type WorkerFailure,
} from '../../../src-main/jobs/supervisor';
import type { WorkerExit } from '../../../src-main/jobs/worker-protocol';

interface SpawnedWorker {
  pid: number | undefined;
  exited: Promise<WorkerExit>;
}

/** A supervisor over real forked workers that records each spawned process and its exit. */
function supervise(options: SupervisorOptions = {}): {
  supervisor: WorkerSupervisor;
  spawned: SpawnedWorker[];
} {
  const spawned: SpawnedWorker[] = [];
  const supervisor = new WorkerSupervisor({
    ...options,
    spawn: (spawnOptions) => {
      const handle = forkWorker(spawnOptions);
      spawned.push({ pid: handle.pid, exited: new Promise((resolve) => handle.onExit(resolve)) });
      return handle;
    },
  });
  supervisors.push(supervisor);
  return { supervisor, spawned };
}

const supervisors: WorkerSupervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.dispose()));
});

const CAPS = { timeoutMs: 10_000, memoryMb: 1024 };

function echoInput(): { values: Float32Array; bytes: Uint8Array; text: string } {
  return {
    values: new Float32Array([1.5, -2, Math.PI]),
    bytes: new Uint8Array([0, 255, 7]),
    text: 'hello',
  };
}

async function rejection(promise: Promise<unknown>): Promise<NormscopeError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the task to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NormscopeError);
  return err as NormscopeError;
}

describe('WorkerSupervisor', () => {
  it('runs a task in another process, typed arrays crossing as typed arrays, and reuses the warm worker', async () => {
    const { supervisor, spawned } = supervise();
    const input = echoInput();
    const first = await supervisor.run('selftest.echo', input, CAPS);
    expect(first.values).toBeInstanceOf(Float32Array);
    expect(first.bytes).toBeInstanceOf(Uint8Array);
    expect([...first.values]).toEqual([...input.values]);
    expect([...first.bytes]).toEqual([0, 255, 7]);
    expect(first.pid).not.toBe(process.pid);
    const second = await supervisor.run('selftest.echo', input, CAPS);
    expect(second.pid).toBe(first.pid);
    expect(spawned).toHaveLength(1);
  });

  it('prewarms one worker that the next task uses, and no more than the pool holds', async () => {
    const { supervisor, spawned } = supervise({ maxWorkers: 1 });
    supervisor.prewarm(CAPS.memoryMb);
    supervisor.prewarm(CAPS.memoryMb);
    supervisor.prewarm(512); // the pool of one is full: not started, not swapped
    expect(spawned).toHaveLength(1);
    const result = await supervisor.run('selftest.echo', echoInput(), CAPS);
    expect(result.pid).toBe(spawned[0]!.pid);
    expect(spawned).toHaveLength(1);
  });

  it('stops a prewarmed worker that stays idle past the idle timeout', async () => {
    const { supervisor, spawned } = supervise({ idleTimeoutMs: 200 });
    supervisor.prewarm(CAPS.memoryMb);
    const exit = await spawned[0]!.exited;
    expect(exit.signal).toBe('SIGKILL');
    await supervisor.run('selftest.echo', echoInput(), CAPS);
    expect(spawned).toHaveLength(2);
  });

  it('fails a crashing task with WorkerFailed naming the signal, then runs the next task in a new worker', async () => {
    const { supervisor, spawned } = supervise();
    const err = await rejection(supervisor.run('selftest.crash', {}, CAPS));
    expect(err.name).toBe('WorkerFailed');
    expect(err.message).toContain('selftest.crash');
    expect(err.message).toContain('SIGABRT');
    expect(err.details).toMatchObject({
      task: 'selftest.crash',
      reason: 'exit',
      signal: 'SIGABRT',
    });
    const next = await supervisor.run('selftest.echo', echoInput(), CAPS);
    expect(spawned).toHaveLength(2);
    expect(next.pid).toBe(spawned[1]!.pid);
  });

  it('kills a hung task at its time cap and says so', async () => {
    const { supervisor, spawned } = supervise();
    const started = Date.now();
    const err = await rejection(
      supervisor.run('selftest.hang', {}, { timeoutMs: 1000, memoryMb: 1024 }),
    );
    const elapsed = Date.now() - started;
    expect(err.name).toBe('WorkerFailed');
    expect(err.message).toBe(
      'worker task selftest.hang timed out after 1 s; its worker process was killed',
    );
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(5000);
    expect((await spawned[0]!.exited).signal).toBe('SIGKILL');
  });

  it('kills a task whose memory grows above its cap', async () => {
    const { supervisor, spawned } = supervise();
    const err = await rejection(
      supervisor.run(
        'selftest.allocate',
        { mb: 400, holdMs: 5000 },
        { timeoutMs: 10_000, memoryMb: 300 },
      ),
    );
    expect(err.name).toBe('WorkerFailed');
    expect(err.message).toMatch(
      /^worker task selftest.allocate used \d+ MB of memory, above its cap of 300 MB/,
    );
    const details = err.details as Extract<WorkerFailure, { reason: 'memory' }>;
    expect(details.reason).toBe('memory');
    expect(details.rssMb).toBeGreaterThan(300);
    expect((await spawned[0]!.exited).signal).toBe('SIGKILL');
    // an allocation under the cap is fine, in a fresh worker
    await expect(
      supervisor.run(
        'selftest.allocate',
        { mb: 20, holdMs: 10 },
        { timeoutMs: 10_000, memoryMb: 300 },
      ),
    ).resolves.toEqual({ allocatedMb: 20 });
  });

  it('rejects a cancelled task with Cancelled at once and kills a worker that does not stop', async () => {
    const { supervisor, spawned } = supervise({ cancelGraceMs: 300 });
    await supervisor.run('selftest.echo', echoInput(), CAPS); // a started worker: the task reaches it at once
    const controller = new AbortController();
    const running = supervisor.run('selftest.hang', {}, { ...CAPS, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    const cancelledAt = Date.now();
    const err = await rejection(running);
    expect(Date.now() - cancelledAt).toBeLessThan(100);
    expect(err.name).toBe('Cancelled');
    expect(err.message).toContain('selftest.hang');
    expect((await spawned[0]!.exited).signal).toBe('SIGKILL');
  });

  it('keeps the worker of a task that stops by itself when cancelled', async () => {
    const { supervisor, spawned } = supervise({ cancelGraceMs: 2000 });
    const controller = new AbortController();
    const running = supervisor.run(
      'selftest.progress',
      { steps: 100, stepMs: 20 },
      { ...CAPS, signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect((await rejection(running)).name).toBe('Cancelled');
    const next = await supervisor.run('selftest.echo', echoInput(), CAPS);
    expect(next.pid).toBe(spawned[0]!.pid);
    expect(spawned).toHaveLength(1);
  });

  it('does not start a task cancelled while it waits for a worker', async () => {
    const { supervisor } = supervise({ maxWorkers: 1 });
    const first = supervisor.run('selftest.progress', { steps: 3, stepMs: 50 }, CAPS);
    const controller = new AbortController();
    const queued = supervisor.run('selftest.crash', {}, { ...CAPS, signal: controller.signal });
    controller.abort();
    expect((await rejection(queued)).name).toBe('Cancelled');
    await expect(first).resolves.toMatchObject({ steps: 3 });
  });

  it('delivers progress reports, ending with the last one', async () => {
    const { supervisor } = supervise();
    const reports: Array<{ fraction: number | null; message: string }> = [];
    await supervisor.run(
      'selftest.progress',
      { steps: 6, stepMs: 40 },
      { ...CAPS, onProgress: (fraction, message) => reports.push({ fraction, message }) },
    );
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.at(-1)).toEqual({ fraction: 1, message: 'step 6 of 6' });
    const fractions = reports.map((r) => r.fraction ?? 0);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it("passes a task's own error through and keeps the worker", async () => {
    const { supervisor, spawned } = supervise();
    const err = await rejection(
      supervisor.run('selftest.fail', { message: 'frame 3 is truncated' }, CAPS),
    );
    expect(err.toValue()).toEqual({ name: 'InvalidRequest', message: 'frame 3 is truncated' });
    await supervisor.run('selftest.echo', echoInput(), CAPS);
    expect(spawned).toHaveLength(1);
  });

  it('keeps the main event loop ticking while a worker burns CPU', async () => {
    const { supervisor } = supervise();
    await supervisor.run('selftest.echo', echoInput(), CAPS); // start the worker first
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    try {
      const { iterations } = await supervisor.run('selftest.cpu', { ms: 800 }, CAPS);
      expect(iterations).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
    // ~80 at an unloaded 10 ms cadence (fewer on a busy machine); a blocked loop would give at most 1
    expect(ticks).toBeGreaterThan(10);
  });

  it('stops every worker on shut-down, failing the task in flight as Unavailable', async () => {
    const { supervisor, spawned } = supervise();
    const running = supervisor.run('selftest.progress', { steps: 100, stepMs: 20 }, CAPS);
    await expect.poll(() => spawned.length).toBe(1);
    const failed = rejection(running);
    await supervisor.dispose();
    expect((await failed).name).toBe('Unavailable');
    expect((await spawned[0]!.exited).signal).toBe('SIGKILL');
  });

  it('serves a job: cancelling the job kills the worker running its task', async () => {
    const { supervisor, spawned } = supervise({ cancelGraceMs: 200 });
    await supervisor.run('selftest.echo', echoInput(), CAPS); // a started worker: the task reaches it at once
    const jobs = new JobManager({ events: new EventBus() });
    const job = jobs.start({
      kind: 'selftest',
      title: 'Hang in a worker',
      run: (ctx) =>
        supervisor.run(
          'selftest.hang',
          {},
          { signal: ctx.signal, timeoutMs: 10_000, memoryMb: 1024 },
        ),
    });
    await expect.poll(() => jobs.get(job.id).state).toBe('running');
    jobs.cancel(job.id);
    await expect(job.result).rejects.toMatchObject({ name: 'Cancelled' });
    expect(jobs.get(job.id).state).toBe('cancelled');
    expect((await spawned[0]!.exited).signal).toBe('SIGKILL');
  });

  it('starts a worker for another memory cap in place of an idle one', async () => {
    const { supervisor, spawned } = supervise({ maxWorkers: 1 });
    const first = await supervisor.run('selftest.echo', echoInput(), {
      timeoutMs: 10_000,
      memoryMb: 1024,
    });
    const second = await supervisor.run('selftest.echo', echoInput(), {
      timeoutMs: 10_000,
      memoryMb: 512,
    });
    expect(second.pid).not.toBe(first.pid);
    expect((await spawned[0]!.exited).signal).toBe('SIGKILL');
  });

  it('fails the task of a worker that never becomes ready, or exits while starting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'normscope-worker-'));
    try {
      const silent = join(dir, 'silent.cjs');
      const quitter = join(dir, 'quitter.cjs');
      await writeFile(silent, 'setInterval(() => {}, 1000);');
      await writeFile(quitter, 'process.exit(3);');
      const neverReady = new WorkerSupervisor({
        startupTimeoutMs: 500,
        spawn: (options) => forkWorker(options, { path: silent, execArgv: [] }),
      });
      const exits = new WorkerSupervisor({
        spawn: (options) => forkWorker(options, { path: quitter, execArgv: [] }),
      });
      supervisors.push(neverReady, exits);
      const late = await rejection(neverReady.run('selftest.echo', echoInput(), CAPS));
      expect(late.name).toBe('WorkerFailed');
      expect(late.message).toBe(
        'worker task selftest.echo failed: the worker process did not start within 0.5 s',
      );
      const quit = await rejection(exits.run('selftest.echo', echoInput(), CAPS));
      expect(quit.message).toBe(
        'worker task selftest.echo failed: the worker process exited with code 3',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
