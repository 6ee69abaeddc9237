/** Cores on temporary data directories, with the synthetic feature cache, and calls that throw on error values. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Method, Params, Result } from '../../../src-main/api/contract';
import { createCore } from '../../../src-main/core';
import type { Core } from '../../../src-main/core';
import type { FeatureProvider } from '../../../src-main/training/features';
import { addBackbone, addStudies, markStudies, syntheticFeatures } from './fixtures/training-data';

export async function call<M extends Method>(core: Core, method: M, params: Params<M>): Promise<Result<M>> {
  const outcome = await core.dispatch(method, params, { transport: 'test' });
  if (!outcome.ok) throw Object.assign(new Error(`${outcome.error.name}: ${outcome.error.message}`), { name: outcome.error.name });
  return outcome.result as Result<M>;
}

export async function tempDataDir(dirs: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'normscope-training-'));
  dirs.push(dir);
  return dir;
}

export async function removeDirs(dirs: string[]): Promise<void> {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

export function openCore(dataDir: string, features: FeatureProvider = syntheticFeatures()): Promise<Core> {
  return createCore({ dataDir, host: 'cli', features });
}

/**
 * Resolves when run `runId` and its job have ended (polling the API, as the window would by
 * events): the run's state is written before the job's last words and clean-up.
 */
export async function waitForRun(core: Core, runId: string, timeoutMs = 30_000): Promise<Result<'training.run'>> {
  const deadline = Date.now() + timeoutMs;
  const ended = ['succeeded', 'failed', 'cancelled'];
  for (;;) {
    const run = await call(core, 'training.run', { runId });
    const job = (await call(core, 'jobs.list', {})).find((j) => j.id === run.jobId);
    if (ended.includes(run.state) && (!job || ended.includes(job.state))) return run;
    if (Date.now() > deadline) throw new Error(`training run ${runId} still ${run.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * For a test file: cores on fresh data directories, closed and removed after each test.
 * `bare` holds nothing; `prepared` a backbone, 4 normal studies of 4 frames and 1 abnormal
 * study of 3.
 */
export function trainingCores(): {
  bare(features?: FeatureProvider): Promise<Core>;
  prepared(features?: FeatureProvider): Promise<Core>;
} {
  const dirs: string[] = [];
  const cores: Core[] = [];
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.close();
    await removeDirs(dirs);
  });
  const bare = async (features?: FeatureProvider): Promise<Core> => {
    const core = await openCore(await tempDataDir(dirs), features);
    cores.push(core);
    return core;
  };
  return {
    bare,
    async prepared(features) {
      const core = await bare(features);
      await addBackbone(core.store);
      addStudies(core.store, '1.2.40', 4, 4);
      markStudies(core.store, addStudies(core.store, '1.2.41.abn', 1, 3), 'abnormal');
      return core;
    },
  };
}

/** The sha256 of the weights file of model version `id`. */
export function versionWeights(core: Core, id: string | null): string {
  return core.store.models.getModelVersion(id!)!.weightsSha256;
}
