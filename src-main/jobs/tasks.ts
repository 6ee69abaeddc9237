/**
 * Every task a worker process can run, by name. The worker entry dispatches on
 * this table; the supervisor takes its types only (`import type`), so the main
 * process never loads a task's native dependencies. Adding a task is one entry
 * here: its input and output types then flow to `WorkerSupervisor.run`.
 */
import { engineTasks } from '../engine/worker-tasks';
import { reviewTasks } from '../review/decode-frame-task';
import { selftestTasks } from './selftest-tasks';
import type { Task } from './task';

export const tasks = {
  ...selftestTasks,
  ...reviewTasks,
  ...engineTasks,
} satisfies Record<string, Task<never, unknown>>;

export type Tasks = typeof tasks;
export type TaskName = keyof Tasks;
export type TaskInput<K extends TaskName> = Parameters<Tasks[K]>[0];
export type TaskOutput<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>;
