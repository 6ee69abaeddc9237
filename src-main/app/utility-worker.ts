/**
 * The job supervisor's SpawnWorker inside Electron: the worker entry runs as a
 * utilityProcess (a Node child managed by Electron, which works in a packaged
 * app where `process.execPath` is the app itself and fork() is unavailable
 * with the RunAsNode fuse off). Same message protocol as fork-worker.ts.
 */
import { utilityProcess } from 'electron';
import { resolveWorkerEntry } from '../jobs/fork-worker';
import type { ChildMessage, SpawnWorker, WorkerExit } from '../jobs/worker-protocol';

export const spawnUtilityWorker: SpawnWorker = (options) => {
  const entry = resolveWorkerEntry();
  const child = utilityProcess.fork(entry.path, [], {
    execArgv: [...entry.execArgv, `--max-old-space-size=${options.maxOldSpaceMb}`],
    serviceName: 'Normscope worker',
    // the worker writes nothing the user needs; its stderr still shows crashes
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  let fatal: string | undefined;
  const exitListeners: Array<(exit: WorkerExit) => void> = [];
  child.on('error', (type, location) => {
    fatal = `${type} at ${location}`;
  });
  child.on('exit', (code) => {
    if (exited) return;
    exited = true;
    const exit: WorkerExit = fatal === undefined ? { code, signal: null } : { code, signal: null, error: fatal };
    for (const listener of exitListeners) listener(exit);
  });
  return {
    get pid() {
      return child.pid;
    },
    postMessage(message) {
      if (!exited) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', (message: unknown) => listener(message as ChildMessage));
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill(signal) {
      if (exited) return;
      // utilityProcess.kill() only ever asks politely (SIGTERM); a hung worker needs the real signal
      if (signal === 'SIGKILL' && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      else child.kill();
    },
  };
};
