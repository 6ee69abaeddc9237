/** Cores with a test backbone and trained tiny models, for the registry and bundle tests. */
import type { Core } from '../../../src-main/core';
import { AR_ANOMALY_MAP, AR_INPUT, buildArAnomalyMapGraph } from '../../../src-main/ml/ar/graph';
import { closeSession, createSession, runFloat32 } from '../../../src-main/ml/onnx/session';
import { loadModelVersion } from '../../../src-main/engine/models';
import { call, openCore, tempDataDir, waitForRun } from '../training/core-helpers';
import { addBackbone, addStudies, GRID, TINY_MODEL } from '../training/fixtures/training-data';

export async function coreWithBackbone(dirs: string[], cores: Core[]): Promise<Core> {
  const core = await openCore(await tempDataDir(dirs));
  cores.push(core);
  await addBackbone(core.store);
  return core;
}

/** Trains a 2-epoch tiny model on three studies; returns its version id. */
export async function trainedModel(core: Core, seed: number): Promise<string> {
  if (core.store.studies.listWorklist().length === 0) addStudies(core.store, '1.2.50', 3, 4);
  const { runId } = await call(core, 'training.start', {
    normals: 'all',
    recipe: { epochs: 2, batchSize: 4, seed },
    model: TINY_MODEL,
    validationShare: 0.34,
  });
  const run = await waitForRun(core, runId);
  if (!run.modelVersionId) throw new Error(`training failed: ${run.error?.message}`);
  return run.modelVersionId;
}

/** Anomaly maps of `grids` under stored version `id`, as the engine loads it for scoring. */
export async function mapsOf(core: Core, id: string, grids: Float32Array[]): Promise<Float32Array> {
  const { models } = await loadModelVersion(core, id);
  const session = await createSession(buildArAnomalyMapGraph(models));
  const batch = new Float32Array(grids.length * grids[0]!.length);
  grids.forEach((g, i) => batch.set(g, i * g.length));
  const out = await runFloat32(session, { [AR_INPUT]: { data: batch, dims: [grids.length, GRID.channels, GRID.height, GRID.width] } });
  await closeSession(session);
  return out[AR_ANOMALY_MAP]!.data;
}

