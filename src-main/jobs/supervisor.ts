/**
 * Runs tasks that execute native code on untrusted input (DICOM decoding, ONNX
 * Runtime) in supervised worker processes, so that a crash, a hang or a runaway
 * allocation fails that one task with a `WorkerFailed` error saying which task
 * and why, and never takes the app down. Each task has a wall-time cap and a
 * memory cap (resident set size, polled; plus a V8 heap cap at spawn). Warm
 * workers are reused for consecutive tasks (ONNX sessions are costly to build);
 * a worker that crashed, hung, overran or ignored a cancel is always replaced.
 */
import { readFile } from 'node:fs/promises';
import { NormscopeError, fromErrorValue } from '../api/errors';
import { cancelledError, onCancel } from './cancellation';
import { forkWorker } from './fork-worker';
import type { TaskInput, TaskName, TaskOutput } from './tasks';
import type { ChildMessage, SpawnWorker, WorkerExit, WorkerHandle } from './worker-protocol';

export interface SupervisorOptions {
  /** how a worker process is started; defaults to child_process.fork of worker-entry */
  spawn?: SpawnWorker;
  /** worker processes that may exist at once (each runs one task at a time) */
  maxWorkers?: number;
  /** ms an idle worker is kept warm before it is stopped */
  idleTimeoutMs?: number;
  /** ms a new worker has to load before its task fails */
  startupTimeoutMs?: number;
  /** ms a cancelled task has to stop by itself before its worker is killed */
  cancelGraceMs?: number;
  /** ms between two reads of a busy worker's resident set size */
  memoryPollMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** wall-time cap in ms, counted from the moment the worker receives the task */
  timeoutMs: number;
  /** cap on the worker's resident set size, in MB */
  memoryMb: number;
  /** `fraction` in 0..1 or null; throttled in the worker */
  onProgress?: (fraction: number | null, message: string) => void;
}

/** Why a worker task failed, in `WorkerFailed` errors' `details`. */
export type WorkerFailure =
  | { task: string; reason: 'exit'; code: number | null; signal: string | null }
  | { task: string; reason: 'startup'; cause: string }
  | { task: string; reason: 'timeout'; timeoutMs: number }
  | { task: string; reason: 'memory'; rssMb: number; memoryMb: number };

interface PendingRequest {
  task: string;
  input: unknown;
  options: RunOptions;
  resolve(output: unknown): void;
  reject(err: unknown): void;
  stopWaitingForCancel(): void;
}

interface CurrentTask {
  taskId: number;
  onMessage(message: ChildMessage): void;
  onExit(exit: WorkerExit): void;
  /** fails the task with `error` without waiting for the worker (shut-down) */
  abandon(error: NormscopeError): void;
}

interface Worker {
  handle: WorkerHandle;
  /** the memory cap it was started for: its V8 heap cap depends on it */
  memoryMb: number;
  /** resolves when the worker takes tasks; rejects with the reason it never will */
  ready: Promise<void>;
  alive: boolean;
  current: CurrentTask | null;
  idleTimer: NodeJS.Timeout | null;
  reportedRssBytes: number | null;
}

const DEFAULTS = {
  maxWorkers: 1,
  idleTimeoutMs: 60_000,
  startupTimeoutMs: 30_000,
  cancelGraceMs: 2_000,
  memoryPollMs: 100,
} as const;

export class WorkerSupervisor {
  private readonly spawnWorker: SpawnWorker;
  private readonly options: Required<Omit<SupervisorOptions, 'spawn'>>;
  private readonly workers = new Set<Worker>();
  private readonly queue: PendingRequest[] = [];
  private nextTaskId = 1;
  private disposed = false;

  constructor(options: SupervisorOptions = {}) {
    this.spawnWorker = options.spawn ?? forkWorker;
    this.options = {
      maxWorkers: options.maxWorkers ?? DEFAULTS.maxWorkers,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      startupTimeoutMs: options.startupTimeoutMs ?? DEFAULTS.startupTimeoutMs,
      cancelGraceMs: options.cancelGraceMs ?? DEFAULTS.cancelGraceMs,
      memoryPollMs: options.memoryPollMs ?? DEFAULTS.memoryPollMs,
    };
  }

  /**
   * Runs `task` from tasks.ts in a worker process. Rejects with `Cancelled` when
   * `signal` aborts, with `WorkerFailed` (details: WorkerFailure) when the worker
   * crashes, exceeds `timeoutMs` or `memoryMb`, and with the task's own error
   * when the task throws.
   */
  run<K extends TaskName>(
    task: K,
    input: TaskInput<K>,
    options: RunOptions,
  ): Promise<TaskOutput<K>> {
    return new Promise<unknown>((resolve, reject) => {
      if (this.disposed)
        throw new NormscopeError(
          'Unavailable',
          `worker task ${task}: the supervisor has shut down`,
        );
      if (options.signal?.aborted) throw cancelledError(`worker task ${task}`);
      const request: PendingRequest = {
        task,
        input,
        options,
        resolve,
        reject,
        stopWaitingForCancel: () => {},
      };
      request.stopWaitingForCancel = onCancel(options.signal, () => {
        this.queue.splice(this.queue.indexOf(request), 1);
        reject(cancelledError(`worker task ${task}`));
      });
      this.queue.push(request);
      this.dispatch();
    }) as Promise<TaskOutput<K>>;
  }

  /**
   * Starts a worker for tasks capped at `memoryMb` ahead of need, so the first
   * task does not wait for a process to start (about 0.3 s); it idles, and is
   * stopped after the idle timeout like any other. Does nothing when such a
   * worker exists or the pool is full.
   */
  prewarm(memoryMb: number): void {
    if (this.disposed || this.workers.size >= this.options.maxWorkers) return;
    if ([...this.workers].some((worker) => worker.memoryMb === memoryMb)) return;
    this.release(this.spawn(memoryMb));
  }

  /** Stops every worker and fails queued tasks; resolves when the processes have exited. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const request of this.queue.splice(0)) {
      request.stopWaitingForCancel();
      request.reject(
        new NormscopeError(
          'Unavailable',
          `worker task ${request.task}: the supervisor has shut down`,
        ),
      );
    }
    const exits = [...this.workers].map(
      (worker) => new Promise<void>((resolve) => worker.handle.onExit(() => resolve())),
    );
    for (const worker of [...this.workers]) {
      worker.current?.abandon(
        new NormscopeError('Unavailable', 'worker task stopped: the supervisor has shut down'),
      );
      this.retire(worker);
    }
    await Promise.all(exits);
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.disposed) {
      const request = this.queue[0]!;
      const worker = this.acquire(request.options.memoryMb);
      if (!worker) return;
      this.queue.shift();
      request.stopWaitingForCancel();
      this.execute(worker, request);
    }
  }

  /** A warm worker started for this memory cap, else a new one while there is room. */
  private acquire(memoryMb: number): Worker | null {
    const idle = [...this.workers].filter((worker) => worker.current === null);
    const warm = idle.find((worker) => worker.memoryMb === memoryMb);
    if (warm) {
      if (warm.idleTimer) clearTimeout(warm.idleTimer);
      warm.idleTimer = null;
      return warm;
    }
    if (this.workers.size >= this.options.maxWorkers) {
      const mismatched = idle[0];
      if (!mismatched) return null;
      this.retire(mismatched);
    }
    return this.spawn(memoryMb);
  }

  private spawn(memoryMb: number): Worker {
    const handle = this.spawnWorker({ maxOldSpaceMb: memoryMb });
    let markReady = (): void => {};
    let markUnusable = (_why: string): void => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markUnusable = (why) => reject(why);
    });
    // execute() always handles the rejection; this only keeps an unused worker's quiet
    ready.catch(() => {});
    const worker: Worker = {
      handle,
      memoryMb,
      ready,
      alive: true,
      current: null,
      idleTimer: null,
      reportedRssBytes: null,
    };
    this.workers.add(worker);

    const startupTimer = setTimeout(() => {
      markUnusable(
        `the worker process did not start within ${formatSeconds(this.options.startupTimeoutMs)}`,
      );
      this.retire(worker);
    }, this.options.startupTimeoutMs);
    handle.onMessage((message) => {
      if (message.type === 'ready') {
        clearTimeout(startupTimer);
        markReady();
      } else if (message.type === 'memory') {
        worker.reportedRssBytes = message.rssBytes;
      } else {
        worker.current?.onMessage(message);
      }
    });
    handle.onExit((exit) => {
      clearTimeout(startupTimer);
      markUnusable(describeExit(exit));
      const current = worker.current;
      worker.current = null;
      const wasInPool = worker.alive;
      this.retire(worker);
      current?.onExit(exit);
      if (wasInPool) this.dispatch();
    });
    return worker;
  }

  /** Takes a worker out of the pool and kills it; a replacement is spawned on demand. */
  private retire(worker: Worker): void {
    worker.alive = false;
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.idleTimer = null;
    this.workers.delete(worker);
    worker.handle.kill('SIGKILL');
  }

  private release(worker: Worker): void {
    worker.current = null;
    if (!worker.alive) return;
    worker.idleTimer = setTimeout(() => this.retire(worker), this.options.idleTimeoutMs);
    worker.idleTimer.unref();
    this.dispatch();
  }

  private execute(worker: Worker, request: PendingRequest): void {
    const { task, options } = request;
    const taskId = this.nextTaskId++;
    const label = `worker task ${task}`;
    let settled = false;
    let sent = false;
    let timeoutTimer: NodeJS.Timeout | null = null;
    let memoryPoll: NodeJS.Timeout | null = null;
    let stopWaitingForCancel = (): void => {};

    const settle = (outcome: { output: unknown } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      stopWaitingForCancel();
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (memoryPoll) clearInterval(memoryPoll);
      if ('output' in outcome) request.resolve(outcome.output);
      else request.reject(outcome.error);
    };
    const failAndKill = (failure: WorkerFailure, message: string): void => {
      settle({ error: new NormscopeError('WorkerFailed', message, failure) });
      worker.current = null;
      this.retire(worker);
      this.dispatch();
    };

    worker.current = {
      taskId,
      onMessage: (message) => {
        if (!('taskId' in message) || message.taskId !== taskId) return;
        if (message.type === 'progress') {
          if (settled) return;
          try {
            options.onProgress?.(message.fraction, message.message);
          } catch (err) {
            // the caller's listener failed: its task cannot report, so it stops like a cancelled one
            stopTask({ error: err });
          }
          return;
        }
        // after a cancel the answer comes too late to matter, but in time to keep the worker warm
        if (message.type === 'result') settle({ output: message.output });
        else settle({ error: fromErrorValue(message.error) });
        this.release(worker);
      },
      onExit: (exit) => {
        const failure: WorkerFailure = {
          task,
          reason: 'exit',
          code: exit.code,
          signal: exit.signal,
        };
        settle({
          error: new NormscopeError(
            'WorkerFailed',
            `${label} failed: ${describeExit(exit)}`,
            failure,
          ),
        });
      },
      abandon: (error) => settle({ error }),
    };

    /** Settles now and asks the worker to stop; one that does not within the grace period is killed. */
    const stopTask = (outcome: { error: unknown }): void => {
      settle(outcome);
      if (!sent) return; // still starting: the task is dropped once the worker is ready
      worker.handle.postMessage({ type: 'cancel', taskId });
      setTimeout(() => {
        if (worker.current?.taskId !== taskId) return;
        worker.current = null;
        this.retire(worker);
        this.dispatch();
      }, this.options.cancelGraceMs).unref();
    };
    stopWaitingForCancel = onCancel(options.signal, () =>
      stopTask({ error: cancelledError(label) }),
    );

    worker.ready.then(
      () => {
        if (settled) {
          this.release(worker);
          return;
        }
        worker.handle.postMessage({ type: 'run', taskId, task, input: request.input });
        sent = true;
        timeoutTimer = setTimeout(
          () =>
            failAndKill(
              { task, reason: 'timeout', timeoutMs: options.timeoutMs },
              `${label} timed out after ${formatSeconds(options.timeoutMs)}; its worker process was killed`,
            ),
          options.timeoutMs,
        );
        let polling = false;
        memoryPoll = setInterval(() => {
          if (polling) return;
          polling = true;
          void residentBytes(worker)
            .then((rssBytes) => {
              const rssMb = Math.round(rssBytes / 2 ** 20);
              if (!settled && rssMb > options.memoryMb) {
                failAndKill(
                  { task, reason: 'memory', rssMb, memoryMb: options.memoryMb },
                  `${label} used ${rssMb} MB of memory, above its cap of ${options.memoryMb} MB; its worker process was killed`,
                );
              }
            })
            .finally(() => {
              polling = false;
            });
        }, this.options.memoryPollMs);
      },
      (why: string) => {
        const failure: WorkerFailure = { task, reason: 'startup', cause: why };
        settle({ error: new NormscopeError('WorkerFailed', `${label} failed: ${why}`, failure) });
      },
    );
  }
}

/**
 * The worker's resident set size in bytes: from /proc on Linux, which works even
 * while the worker is stuck in native code; elsewhere the worker's own last report.
 */
async function residentBytes(worker: Worker): Promise<number> {
  const pid = worker.handle.pid;
  if (process.platform === 'linux' && pid !== undefined) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      if (kb) return Number(kb) * 1024;
    } catch {
      // the process has just exited; its exit event reports why
    }
  }
  return worker.reportedRssBytes ?? 0;
}

function describeExit(exit: WorkerExit): string {
  if (exit.error) return `the worker process failed: ${exit.error}`;
  if (exit.signal) return `the worker process was killed by signal ${exit.signal}`;
  return `the worker process exited with code ${exit.code ?? 'unknown'}`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}
