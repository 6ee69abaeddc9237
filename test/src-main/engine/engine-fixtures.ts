/** Shared set-up of the engine tests: a core on a temporary data directory, a tiny stand-in, a phantom study. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../src-main/core';
import type { Core } from '../../../src-main/core';
import { importDicom } from '../../../src-main/dicom/import';
import { forkWorker } from '../../../src-main/jobs/fork-worker';
import type { SpawnWorker } from '../../../src-main/jobs/worker-protocol';
import { buildStandInBackbone } from '../../../src-main/ml/backbone/standin';
import { writePhantomDicomSeries } from '../../../src-main/ml/phantom/dicom-writer';
import type { WrittenSeries } from '../../../src-main/ml/phantom/dicom-writer';
import { generatePhantomStudy } from '../../../src-main/ml/phantom/study';

export interface EngineTestCore {
  core: Core;
  dir: string;
  /** names of the worker tasks started so far, in order */
  workerTasks: string[];
  dispose(): Promise<void>;
}

/**
 * A core on a fresh data directory whose real worker processes are watched:
 * every task sent to one is recorded, and a task named in `crashInstead` is
 * replaced by 'selftest.crash', so the worker really aborts (SIGABRT) while
 * running it, as it would if ONNX Runtime crashed on a malformed model.
 */
export async function engineTestCore(
  options: { crashInstead?: string } = {},
): Promise<EngineTestCore> {
  const dir = await mkdtemp(join(tmpdir(), 'normscope-engine-'));
  const workerTasks: string[] = [];
  const spawnWorker: SpawnWorker = (spawnOptions) => {
    const handle = forkWorker(spawnOptions);
    return {
      get pid() {
        return handle.pid;
      },
      postMessage(message) {
        if (message.type !== 'run') return handle.postMessage(message);
        workerTasks.push(message.task);
        const crash = message.task === options.crashInstead;
        handle.postMessage(crash ? { ...message, task: 'selftest.crash', input: {} } : message);
      },
      onMessage: (listener) => handle.onMessage(listener),
      onExit: (listener) => handle.onExit(listener),
      kill: (signal) => handle.kill(signal),
    };
  };
  const core = await createCore({ dataDir: join(dir, 'data'), host: 'cli', spawnWorker });
  return {
    core,
    dir,
    workerTasks,
    dispose: async () => {
      await core.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes the tiny stand-in backbone (seed 1, or as asked) to `<dir>/<name>.onnx`. */
export async function writeTinyStandIn(
  dir: string,
  name = 'tiny-standin',
  dropPrefixTokens = false,
): Promise<string> {
  const path = join(dir, `${name}.onnx`);
  await writeFile(path, buildStandInBackbone({ preset: 'tiny', seed: 1, dropPrefixTokens }));
  return path;
}

/** Writes a small phantom MR series (128 x 128) and imports it into the core's store. */
export async function importPhantomSeries(
  core: Core,
  dir: string,
  options: { seed: number; slices: number; lesions: boolean; patientId: string },
): Promise<WrittenSeries> {
  const study = generatePhantomStudy({
    seed: options.seed,
    slices: options.slices,
    size: 128,
    lesions: options.lesions,
  });
  const written = await writePhantomDicomSeries(join(dir, `phantom-${options.patientId}`), study, {
    patientName: 'Phantom^Test',
    patientId: options.patientId,
  });
  const result = await importDicom(core.store, written.files);
  if (result.failed > 0)
    throw new Error(`phantom import failed: ${JSON.stringify(result.failures)}`);
  return written;
}
