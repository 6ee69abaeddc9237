import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core';
import { AR_ANOMALY_MAP, AR_INPUT, buildArAnomalyMapGraph } from '../../../src-main/ml/ar/graph';
import { closeSession, createSession, runFloat32 } from '../../../src-main/ml/onnx/session';
import { loadModelVersion } from '../../../src-main/engine/models';
import { call, openCore, removeDirs, tempDataDir, waitForRun } from '../training/core-helpers';
import { addBackbone, addStudies, GRID, syntheticGrid, TINY_MODEL } from '../training/fixtures/training-data';

const dirs: string[] = [];
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await removeDirs(dirs);
});

async function coreWithBackbone(): Promise<Core> {
  const core = await openCore(await tempDataDir(dirs));
  cores.push(core);
  await addBackbone(core.store);
  return core;
}

async function trainedModel(core: Core, seed: number): Promise<string> {
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
async function mapsOf(core: Core, id: string, grids: Float32Array[]): Promise<Float32Array> {
  const { models } = await loadModelVersion(core, id);
  const session = await createSession(buildArAnomalyMapGraph(models));
  const batch = new Float32Array(grids.length * grids[0]!.length);
  grids.forEach((g, i) => batch.set(g, i * g.length));
  const out = await runFloat32(session, { [AR_INPUT]: { data: batch, dims: [grids.length, GRID.channels, GRID.height, GRID.width] } });
  await closeSession(session);
  return out[AR_ANOMALY_MAP]!.data;
}

describe('model registry', () => {
  it('activates, rolls back to the version active before, audits both, and never rewrites old scores', async () => {
    const core = await coreWithBackbone();
    const first = await trainedModel(core, 1);
    const second = await trainedModel(core, 2);
    await expect(call(core, 'models.rollback', {})).rejects.toThrow(/Conflict: no model is active/);

    await call(core, 'models.activate', { id: first });
    const studyUid = core.store.studies.listWorklist()[0]!.studyUid;
    const scoring = core.store.scoring.startRun({
      modelVersionId: first,
      backboneSha256: core.store.models.listBackbones()[0]!.sha256,
      onnxruntimeVersion: 'test',
      provider: 'cpu',
      threads: 1,
    });
    core.store.scoring.putStudyScore(scoring.id, studyUid, 0.5);

    const activated = await call(core, 'models.activate', { id: second });
    expect(activated.model).toMatchObject({ id: second, active: true });
    expect(activated.studiesScoredByOtherVersions).toBe(1);
    const row = core.store.studies.listWorklist().find((r) => r.studyUid === studyUid)!;
    expect(row.score).toMatchObject({ modelVersionId: first, value: 0.5 });
    expect((await call(core, 'app.status', {})).activeModel).toMatchObject({ id: second });

    const rolledBack = await call(core, 'models.rollback', {});
    expect(rolledBack.model).toMatchObject({ id: first, active: true });
    await expect(call(core, 'models.rollback', {})).rejects.toThrow(/no earlier active version/);
    const trail = core.store.audit.list().filter((e) => e.action === 'model.activate' || e.action === 'model.rollback');
    expect(trail.map((e) => [e.action, e.objectIds.modelVersionId])).toEqual([
      ['model.activate', first],
      ['model.activate', second],
      ['model.rollback', first],
    ]);

    const compared = await call(core, 'models.compare', { ids: [first, second] });
    expect(compared.versions.map((v) => v.curves.valLoss.length)).toEqual([2, 2]);
    expect(compared.expectations[0]!.text).toMatch(/epoch/);
  });
});

describe('model bundles', () => {
  it('round trip: another data dir scores identically and keeps the thresholds', async () => {
    const source = await coreWithBackbone();
    const id = await trainedModel(source, 5);
    source.store.thresholds.append({
      modelVersionId: id,
      pixelThreshold: 0.123,
      imageThreshold: 0.456,
      method: { kind: 'normal-fpr', target: 0.01 },
      createdBy: 'Dr Calibrate',
    });
    const out = join(await tempDataDir(dirs), 'model.nsmodel');
    const exported = await call(source, 'models.export', { id, out });
    expect(exported).toMatchObject({ path: out });

    const target = await coreWithBackbone();
    const imported = await call(target, 'models.import', { file: out });
    expect(imported).toMatchObject({
      name: (await call(source, 'models.get', { id })).name,
      importedFrom: { modelId: id, bundleSha256: exported.sha256 },
      threshold: { pixelThreshold: 0.123, imageThreshold: 0.456 },
      active: false,
    });
    expect(target.store.thresholds.current(imported.id)).toMatchObject({
      method: { kind: 'normal-fpr', target: 0.01 },
      createdBy: 'Dr Calibrate',
    });
    const grids = [0, 1, 2].map((i) => syntheticGrid({ studyUid: 'x', sopInstanceUid: `9.9.${i}`, frame: 0 }));
    expect(await mapsOf(target, imported.id, grids)).toEqual(await mapsOf(source, id, grids));
    await expect(call(target, 'models.import', { file: out })).rejects.toThrow(/Conflict: this model is already here/);
  });

  it('refuses tampered bundles, a missing backbone, and overwriting without consent', async () => {
    const source = await coreWithBackbone();
    const id = await trainedModel(source, 6);
    const dir = await tempDataDir(dirs);
    const out = join(dir, 'model.nsmodel');
    await call(source, 'models.export', { id, out });
    await expect(call(source, 'models.export', { id, out })).rejects.toThrow(/Conflict: .* already exists/);
    await call(source, 'models.export', { id, out, overwrite: true });

    const entries = unzipSync(new Uint8Array(await readFile(out)));
    const manifest = JSON.parse(strFromU8(entries['normscope-model.json']!)) as { model: { name: string } };
    manifest.model.name = 'renamed';
    const editedManifest = join(dir, 'edited.nsmodel');
    await writeFile(editedManifest, zipSync({ ...entries, 'normscope-model.json': strToU8(JSON.stringify(manifest)) }));
    const weights = entries['weights.bin']!.slice();
    weights[10]! ^= 1;
    const editedWeights = join(dir, 'weights.nsmodel');
    await writeFile(editedWeights, zipSync({ ...entries, 'weights.bin': weights }));

    const target = await openCore(await tempDataDir(dirs));
    cores.push(target);
    await expect(call(target, 'models.import', { file: editedManifest })).rejects.toThrow(/Refused: .*checksum/);
    await expect(call(target, 'models.import', { file: editedWeights })).rejects.toThrow(/Refused: .*weights do not match/);
    const sha = source.store.models.listBackbones()[0]!.sha256;
    await expect(call(target, 'models.import', { file: out })).rejects.toThrow(new RegExp(`Refused: .*${sha}.*import that backbone`));
    expect(target.store.models.listModelVersions()).toHaveLength(0);
  });
});
