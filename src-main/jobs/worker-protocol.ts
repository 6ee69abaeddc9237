/**
 * Messages between the supervisor (main process) and a worker process, and the
 * handle through which the supervisor drives one. Messages cross by structured
 * clone (fork's `serialization: 'advanced'`, or Electron's utilityProcess), so
 * typed arrays travel as binary, not JSON.
 */
import type { ApiErrorValue } from '../api/errors';

export type ParentMessage =
  | { type: 'run'; taskId: number; task: string; input: unknown }
  /** asks the running task to stop through its signal; the supervisor kills the worker if it does not */
  | { type: 'cancel'; taskId: number };

export type ChildMessage =
  /** the worker has loaded its task registry and takes tasks */
  | { type: 'ready' }
  | { type: 'progress'; taskId: number; fraction: number | null; message: string }
  /** the worker's own resident set size, for platforms where the supervisor cannot read it */
  | { type: 'memory'; rssBytes: number }
  | { type: 'result'; taskId: number; output: unknown }
  | { type: 'error'; taskId: number; error: ApiErrorValue };

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** set when the process could not be started or its channel failed */
  error?: string;
}

/**
 * One worker process as the supervisor sees it. The default (fork-worker.ts)
 * wraps child_process.fork; the Electron shell supplies one over utilityProcess.
 */
export interface WorkerHandle {
  /** undefined until the process has started */
  readonly pid: number | undefined;
  postMessage(message: ParentMessage): void;
  onMessage(listener: (message: ChildMessage) => void): void;
  /** called once, when the process has exited or could not be started */
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface SpawnOptions {
  /** V8 heap cap for the worker (--max-old-space-size), in MB */
  maxOldSpaceMb: number;
}

export type SpawnWorker = (options: SpawnOptions) => WorkerHandle;
