/**
 * Long work as jobs (ARCHITECTURE.md "Long work"): each job reports progress,
 * can be cancelled (and paused where its run can continue from a checkpoint),
 * is queued behind a concurrency limit per kind, survives a restart where a
 * resumer for its kind is registered, and announces every change as a
 * 'jobs.updated' event. Runs are async functions in the main process; the heavy
 * or untrusted parts of them go to a supervised worker (supervisor.ts), so the
 * event loop stays free.
 */
import { randomUUID } from 'node:crypto';
import type { JobInfo, JobKind } from '../api/contract';
import { NormscopeError, isErrorName, toErrorValue } from '../api/errors';
import type { EventBus } from '../api/event-bus';
import { cancelledError } from './cancellation';
import {
  InMemoryJobPersistence,
  isUnfinished,
  type JobPersistence,
  type PersistedJob,
} from './persistence';
import { throttleProgress, type ProgressReporter, type ThrottledProgress } from './progress';

export interface JobContext {
  /** the job's id (the same after a pause or a restart): what the run's records refer to */
  jobId: string;
  /** aborts when the job is cancelled, paused or the app shuts down; its `reason` is a `Cancelled` NormscopeError */
  signal: AbortSignal;
  progress: ProgressReporter;
  /** Records how far the run got (JSON-serialisable); a resumed run receives it as `resumeFrom`. */
  checkpoint(data: unknown): void;
  /** the last checkpoint of an earlier attempt (after a pause or a restart), absent on a fresh start */
  resumeFrom?: unknown;
}

export type JobRun<T> = (ctx: JobContext) => Promise<T>;

export interface JobSpec<T> {
  kind: JobKind;
  title: string;
  /** JSON-serialisable; stored so a resumer can rebuild the run after a restart */
  params?: unknown;
  run: JobRun<T>;
  /** true when the run honours `resumeFrom`, so stopping it at a checkpoint loses no work */
  pausable?: boolean;
}

export interface StartedJob<T> {
  id: string;
  /** resolves when the job succeeds; rejects when it fails, is cancelled, or is stopped by `shutdown` */
  result: Promise<T>;
}

/** Rebuilds the run of a job left unfinished by a restart from its stored params (validate them). */
export type JobResumer = (params: unknown) => { run: JobRun<unknown>; pausable?: boolean };

export interface JobManagerOptions {
  events: Pick<EventBus, 'publish'>;
  persistence?: JobPersistence;
  /** jobs of one kind that may run at once; kinds not named get 1 */
  concurrency?: Partial<Record<JobKind, number>>;
  /** minimum ms between two progress events of one job */
  progressIntervalMs?: number;
  /** finished jobs kept for `list()`; older ones are forgotten (the database keeps them) */
  keepFinished?: number;
}

/** why a running attempt was asked to stop; 'shutdown' leaves no trace, so a restart resumes the job */
type StopRequest = 'cancel' | 'pause' | 'shutdown';

interface JobRecord {
  info: JobInfo;
  /** JSON values, copied when stored */
  params: unknown;
  /** JSON values; null until the run's first checkpoint */
  checkpoint: unknown;
  run: JobRun<unknown>;
  /** set while an attempt runs, until its promise settles (even after a cancel) */
  attempt: {
    controller: AbortController;
    progress: ThrottledProgress;
    /** resolves when the run has returned and its outcome is recorded */
    ended: Promise<void>;
  } | null;
  stopRequest: StopRequest | null;
  settle: { resolve(value: unknown): void; reject(err: unknown): void } | null;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 200;
const DEFAULT_KEEP_FINISHED = 200;

export class JobManager {
  private readonly records = new Map<string, JobRecord>();
  private readonly events: Pick<EventBus, 'publish'>;
  private readonly persistence: JobPersistence;
  private readonly concurrency: Partial<Record<JobKind, number>>;
  private readonly progressIntervalMs: number;
  private readonly keepFinished: number;
  private shutdownDone: Promise<void> | null = null;

  constructor(options: JobManagerOptions) {
    this.events = options.events;
    this.persistence = options.persistence ?? new InMemoryJobPersistence();
    this.concurrency = options.concurrency ?? {};
    this.progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.keepFinished = options.keepFinished ?? DEFAULT_KEEP_FINISHED;
  }

  /** Queues a job; it runs as soon as its kind has a free slot. */
  start<T>(spec: JobSpec<T>): StartedJob<T> {
    if (this.shutdownDone) {
      throw new NormscopeError(
        'Unavailable',
        `cannot start "${spec.title}": the app is shutting down`,
      );
    }
    const now = new Date().toISOString();
    const id = randomUUID();
    const { promise: result, settle } = deferred<T>();
    const record: JobRecord = {
      info: {
        id,
        kind: spec.kind,
        title: spec.title,
        state: 'queued',
        progress: null,
        message: 'Waiting to start',
        error: null,
        pausable: spec.pausable ?? false,
        createdAt: now,
        updatedAt: now,
      },
      params: jsonCopy(spec.params ?? {}, `params of job "${spec.title}"`),
      checkpoint: null,
      run: spec.run as JobRun<unknown>,
      attempt: null,
      stopRequest: null,
      settle,
    };
    this.records.set(id, record);
    this.changed(record);
    this.pump();
    return { id, result };
  }

  /** Every job this process knows, oldest first. */
  list(): JobInfo[] {
    return [...this.records.values()].map((record) => ({ ...record.info }));
  }

  get(id: string): JobInfo {
    return { ...this.find(id).info };
  }

  /**
   * Cancels a job. A queued or paused job ends at once; a running one is asked
   * to stop through its signal and ends as 'cancelled' when its run returns
   * (until then it reads 'Cancelling…').
   */
  cancel(id: string): JobInfo {
    const record = this.find(id);
    const { state } = record.info;
    if (state === 'queued' || state === 'paused') {
      this.end(
        record,
        { state: 'cancelled', message: 'Cancelled', error: null },
        { err: cancelledError(record.info.title) },
      );
    } else if (state === 'running') {
      this.requestStop(record, 'cancel', 'Cancelling…');
    } else {
      throw new NormscopeError(
        'Conflict',
        `Job "${record.info.title}" has already ${describeEnd(state)}`,
      );
    }
    return this.get(id);
  }

  /** Pauses a pausable job: a running one stops at its signal and keeps its last checkpoint. */
  pause(id: string): JobInfo {
    const record = this.find(id);
    if (!record.info.pausable) {
      throw new NormscopeError(
        'Conflict',
        `Job "${record.info.title}" cannot be paused; cancel it instead`,
      );
    }
    const { state } = record.info;
    if (state === 'queued') {
      this.update(record, { state: 'paused', message: 'Paused' });
    } else if (state === 'running') {
      if (record.stopRequest === null) this.requestStop(record, 'pause', 'Pausing…');
    } else if (state !== 'paused') {
      throw new NormscopeError(
        'Conflict',
        `Job "${record.info.title}" has already ${describeEnd(state)}`,
      );
    }
    return this.get(id);
  }

  /** Queues a paused job again; its run receives the last checkpoint as `resumeFrom`. */
  resume(id: string): JobInfo {
    const record = this.find(id);
    if (record.info.state !== 'paused') {
      throw new NormscopeError(
        'Conflict',
        `Job "${record.info.title}" is ${record.info.state}, not paused`,
      );
    }
    this.update(record, { state: 'queued', message: 'Waiting to resume' });
    this.pump();
    return this.get(id);
  }

  /**
   * At start-up: takes over the jobs a previous process left unfinished. Those
   * whose kind has a resumer continue from their last checkpoint (a paused one
   * stays paused); the others are marked failed, since nothing can continue them.
   * Returns the recovered jobs as they now stand.
   */
  recover(resumers: Partial<Record<JobKind, JobResumer>>): JobInfo[] {
    const recovered: JobInfo[] = [];
    for (const saved of this.persistence.listUnfinished()) {
      if (this.records.has(saved.id)) continue;
      const record = this.recordFromSaved(saved);
      this.records.set(saved.id, record);
      const resumer = resumers[saved.kind];
      if (!resumer) {
        this.fail(record, `"${saved.title}" was interrupted by a restart and cannot be resumed`);
      } else {
        try {
          const resumed = resumer(saved.params);
          record.run = resumed.run;
          record.info.pausable = resumed.pausable ?? false;
          const paused = saved.state === 'paused';
          this.update(record, {
            state: paused ? 'paused' : 'queued',
            message: paused ? 'Paused' : 'Resuming after a restart',
          });
        } catch (err) {
          this.fail(
            record,
            `"${saved.title}" could not be resumed after a restart: ${toErrorValue(err).message}`,
          );
        }
      }
      recovered.push(this.get(saved.id));
    }
    this.pump();
    return recovered;
  }

  /**
   * For app exit: stops every running job through its signal without recording
   * an end, so their stored rows still read queued/running/paused and the next
   * start's `recover` takes them over from their last checkpoint. Runs may
   * still checkpoint while they wind down. Resolves when every run has returned,
   * or after `graceMs` ms for runs that ignore their signal. Starts nothing more.
   */
  shutdown(graceMs = 5_000): Promise<void> {
    this.shutdownDone ??= (async () => {
      const ended: Array<Promise<void>> = [];
      for (const record of this.records.values()) {
        if (!record.attempt) continue;
        record.stopRequest = 'shutdown';
        record.attempt.controller.abort(
          new NormscopeError(
            'Cancelled',
            `${record.info.title} was stopped because the app is closing`,
          ),
        );
        ended.push(record.attempt.ended);
      }
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(ended), grace]);
      clearTimeout(graceTimer);
    })();
    return this.shutdownDone;
  }

  private recordFromSaved(saved: PersistedJob): JobRecord {
    return {
      info: {
        id: saved.id,
        kind: saved.kind,
        title: saved.title,
        state: saved.state,
        progress: saved.progress,
        message: saved.message,
        error: saved.error,
        pausable: false,
        createdAt: saved.createdAt,
        updatedAt: saved.updatedAt,
      },
      params: saved.params,
      checkpoint: saved.checkpoint ?? null,
      run: () => Promise.reject(new NormscopeError('Internal', `job ${saved.id} has no run`)),
      attempt: null,
      stopRequest: null,
      settle: null,
    };
  }

  private fail(record: JobRecord, message: string): void {
    const error = new NormscopeError('Cancelled', message);
    this.end(record, { state: 'failed', message, error: error.toValue() }, { err: error });
  }

  private find(id: string): JobRecord {
    const record = this.records.get(id);
    if (!record) throw new NormscopeError('NotFound', `No job with id ${id}`);
    return record;
  }

  private requestStop(record: JobRecord, request: StopRequest, message: string): void {
    // a cancel overrides a pending pause; nothing overrides a cancel or a shut-down
    if (record.stopRequest === 'cancel' || record.stopRequest === 'shutdown') return;
    record.stopRequest = request;
    this.update(record, { message });
    const reason =
      request === 'cancel'
        ? cancelledError(record.info.title)
        : new NormscopeError('Cancelled', `${record.info.title} was paused`);
    record.attempt?.controller.abort(reason);
  }

  /** Starts queued jobs, oldest first, while their kind has free slots. */
  private pump(): void {
    if (this.shutdownDone) return;
    for (const record of this.records.values()) {
      if (record.info.state !== 'queued' || record.attempt) continue;
      if (this.activeCount(record.info.kind) >= (this.concurrency[record.info.kind] ?? 1)) continue;
      this.startAttempt(record);
    }
    this.forgetOldFinished();
  }

  private activeCount(kind: JobKind): number {
    let count = 0;
    for (const record of this.records.values())
      if (record.info.kind === kind && record.attempt) count += 1;
    return count;
  }

  private startAttempt(record: JobRecord): void {
    const controller = new AbortController();
    const progress = throttleProgress((fraction, message) => {
      if (record.stopRequest === null) this.update(record, { progress: fraction, message });
    }, this.progressIntervalMs);
    const attempt = { controller, progress, ended: Promise.resolve() };
    record.attempt = attempt;
    record.stopRequest = null;
    const ctx: JobContext = {
      jobId: record.info.id,
      signal: controller.signal,
      progress,
      checkpoint: (data) => {
        if (record.attempt?.controller !== controller) return;
        record.checkpoint = jsonCopy(data ?? null, `checkpoint of job "${record.info.title}"`);
        this.persist(record);
      },
    };
    if (record.checkpoint !== null) ctx.resumeFrom = record.checkpoint;
    this.update(record, { state: 'running', message: 'Started', error: null });
    // run in a later microtask: start() returns first, and a synchronous throw becomes a rejection
    attempt.ended = Promise.resolve()
      .then(() => record.run(ctx))
      .then(
        (value) => this.attemptEnded(record, { ok: true, value }),
        (err: unknown) => this.attemptEnded(record, { ok: false, err }),
      );
  }

  private attemptEnded(
    record: JobRecord,
    outcome: { ok: true; value: unknown } | { ok: false; err: unknown },
  ): void {
    const attempt = record.attempt;
    if (!attempt) return;
    if (outcome.ok) attempt.progress.flush();
    attempt.progress.dispose();
    record.attempt = null;
    const stop = record.stopRequest;
    record.stopRequest = null;
    if (stop === 'shutdown' && !outcome.ok) {
      // no record of the interruption: the stored row still says where the job was
      record.settle?.reject(outcome.err);
      record.settle = null;
    } else if (outcome.ok) {
      // work that finished before it saw the stop request did finish: say so
      this.end(record, { state: 'succeeded', progress: 1, error: null }, outcome);
    } else if (stop === 'cancel') {
      this.end(
        record,
        { state: 'cancelled', message: 'Cancelled', error: null },
        { err: cancelledError(record.info.title) },
      );
    } else if (stop === 'pause') {
      this.update(record, { state: 'paused', message: 'Paused' });
    } else {
      const { name, message } = toErrorValue(outcome.err);
      this.end(record, { state: 'failed', message, error: { name, message } }, outcome);
    }
    this.pump();
  }

  /** Moves a job to a final state and settles the promise `start` returned. */
  private end(
    record: JobRecord,
    patch: Partial<JobInfo> & { state: 'succeeded' | 'failed' | 'cancelled' },
    outcome: { value: unknown } | { err: unknown },
  ): void {
    this.update(record, patch);
    if ('value' in outcome) record.settle?.resolve(outcome.value);
    else record.settle?.reject(outcome.err);
    record.settle = null;
  }

  private update(
    record: JobRecord,
    patch: Partial<Omit<JobInfo, 'id' | 'kind' | 'createdAt'>>,
  ): void {
    Object.assign(record.info, patch, { updatedAt: new Date().toISOString() });
    this.changed(record);
  }

  private changed(record: JobRecord): void {
    this.persist(record);
    this.events.publish('jobs.updated', { ...record.info });
  }

  private persist(record: JobRecord): void {
    const { info } = record;
    try {
      this.persistence.upsert({
        id: info.id,
        kind: info.kind,
        title: info.title,
        state: info.state,
        progress: info.progress,
        message: info.message,
        // every error reaching a job passed through toErrorValue, so its name is one of ours
        error: info.error && {
          name: isErrorName(info.error.name) ? info.error.name : 'Internal',
          message: info.error.message,
        },
        params: record.params,
        checkpoint: record.checkpoint,
        createdAt: info.createdAt,
        updatedAt: info.updatedAt,
      });
    } catch (err) {
      // The in-memory state stays right for this process and the window still
      // hears of it; failing the job's own work over a lost row would be worse.
      // Only a restart would show the stale row.
      console.error(`could not persist job ${info.id} (${info.state}):`, err);
    }
  }

  private forgetOldFinished(): void {
    const finished = [...this.records.values()].filter(
      (r) => !isUnfinished(r.info.state) && !r.attempt,
    );
    for (const record of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.records.delete(record.info.id);
    }
  }
}

/** A detached copy of JSON values; throws InvalidRequest, naming `what`, for anything else. */
function jsonCopy(value: unknown, what: string): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new NormscopeError(
      'InvalidRequest',
      `${what} cannot be stored as JSON: ${toErrorValue(err).message}`,
    );
  }
  if (json === undefined)
    throw new NormscopeError('InvalidRequest', `${what} cannot be stored as JSON`);
  return JSON.parse(json) as unknown;
}

/** A promise with its settle functions; the promise never counts as unhandled. */
function deferred<T>(): { promise: Promise<T>; settle: NonNullable<JobRecord['settle']> } {
  let settle: NonNullable<JobRecord['settle']> | undefined;
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve: resolve as (value: unknown) => void, reject };
  });
  // callers that only watch events must not turn a failed job into an unhandled rejection
  promise.catch(() => {});
  return { promise, settle: settle! };
}

function describeEnd(state: JobInfo['state']): string {
  return state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'been cancelled';
}
