/**
 * The worker process: runs tasks from tasks.ts one at a time on behalf of the
 * supervisor. It talks over Node's IPC channel when forked and over
 * `process.parentPort` when started as an Electron utilityProcess; it exits
 * when its parent goes away, so no worker outlives the app.
 */
import { toErrorValue } from '../api/errors';
import { throttleProgress } from './progress';
import type { Task } from './task';
import { tasks } from './tasks';
import type { ChildMessage, ParentMessage } from './worker-protocol';

const PROGRESS_INTERVAL_MS = 100;
const MEMORY_REPORT_MS = 200;

interface ParentChannel {
  send(message: ChildMessage): void;
  onMessage(listener: (message: ParentMessage) => void): void;
}

/** Electron's utilityProcess gives the child a MessagePort-like `process.parentPort`. */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentChannel(): ParentChannel {
  const port = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data as ParentMessage)),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('worker-entry must be started by the supervisor (no IPC channel)');
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message) => send(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as ParentMessage)),
  };
}

function hasTask(name: string): name is keyof typeof tasks {
  return Object.prototype.hasOwnProperty.call(tasks, name);
}

const channel = parentChannel();
const running = new Map<number, AbortController>();

async function runTask(taskId: number, name: string, input: unknown): Promise<void> {
  const controller = new AbortController();
  running.set(taskId, controller);
  const progress = throttleProgress(
    (fraction, message) => channel.send({ type: 'progress', taskId, fraction, message }),
    PROGRESS_INTERVAL_MS,
  );
  // the supervisor reads /proc where it can; elsewhere it relies on these
  const memoryReports = setInterval(
    () => channel.send({ type: 'memory', rssBytes: process.memoryUsage.rss() }),
    MEMORY_REPORT_MS,
  );
  try {
    if (!hasTask(name)) throw new Error(`unknown worker task ${JSON.stringify(name)}`);
    const task = tasks[name] as Task<unknown, unknown>;
    const output = await task(input, { progress, signal: controller.signal });
    progress.flush();
    channel.send({ type: 'result', taskId, output });
  } catch (err) {
    channel.send({ type: 'error', taskId, error: toErrorValue(err) });
  } finally {
    progress.dispose();
    clearInterval(memoryReports);
    running.delete(taskId);
  }
}

channel.onMessage((message) => {
  if (message.type === 'run') void runTask(message.taskId, message.task, message.input);
  else if (message.type === 'cancel') running.get(message.taskId)?.abort();
});
channel.send({ type: 'ready' });
