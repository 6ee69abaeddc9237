/**
 * The default way to start a worker: child_process.fork of the worker entry,
 * with structured-clone messaging. Used under plain Node (web host, CLI,
 * tests); the Electron shell injects a utilityProcess-based SpawnWorker.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildMessage, SpawnOptions, WorkerExit, WorkerHandle } from './worker-protocol';

/**
 * Where the worker entry is, and how to run it. From source (tests, tsx) this
 * module's URL ends in .ts and the entry is worker-entry.ts run through tsx;
 * built, electron-vite emits out/main/worker.js next to the entries, while this
 * module may sit in a shared chunk one folder below (out/main/chunks/).
 */
export function resolveWorkerEntry(moduleUrl: string = import.meta.url): {
  path: string;
  execArgv: string[];
} {
  if (moduleUrl.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href;
    return {
      path: fileURLToPath(new URL('./worker-entry.ts', moduleUrl)),
      execArgv: ['--import', tsx],
    };
  }
  const candidates = [new URL('./worker.js', moduleUrl), new URL('../worker.js', moduleUrl)].map(
    (url) => fileURLToPath(url),
  );
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) throw new Error(`worker entry not found; looked for ${candidates.join(' and ')}`);
  return { path, execArgv: [] };
}

/** Forks `entry` (default: the worker entry of this build) as a worker process. */
export function forkWorker(
  options: SpawnOptions,
  entry: { path: string; execArgv: string[] } = resolveWorkerEntry(),
): WorkerHandle {
  const child = fork(entry.path, [], {
    execArgv: [...entry.execArgv, `--max-old-space-size=${options.maxOldSpaceMb}`],
    serialization: 'advanced',
    // the worker writes nothing the user needs; its stderr still shows crashes in the terminal
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let exited = false;
  const exitListeners: Array<(exit: WorkerExit) => void> = [];
  const announceExit = (exit: WorkerExit): void => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(exit);
  };
  child.on('exit', (code, signal) => announceExit({ code, signal }));
  child.on('error', (err) => {
    announceExit({ code: null, signal: null, error: err.message });
    // a channel error can leave the process running; it must not outlive its handle
    child.kill('SIGKILL');
  });
  return {
    get pid() {
      return child.pid;
    },
    postMessage(message) {
      // a closed channel means the process is exiting; its exit event reports that
      if (child.connected) child.send(message, () => {});
    },
    onMessage(listener) {
      child.on('message', (message) => listener(message as ChildMessage));
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
