/** The shape of work that runs inside a supervised worker process (see tasks.ts). */
import type { ProgressReporter } from './progress';

export interface TaskContext {
  /** throttled in the worker; reports reach the supervisor's `onProgress` */
  progress: ProgressReporter;
  /** aborts when the caller cancels; a task that ignores it is killed after a grace period */
  signal: AbortSignal;
}

/**
 * A task takes and returns structured-cloneable values (plain data, typed
 * arrays, Maps; no functions or class instances) and runs in a worker process.
 */
export type Task<Input, Output> = (input: Input, ctx: TaskContext) => Promise<Output>;
