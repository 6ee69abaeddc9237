import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core';
import { call, openCore, removeDirs, tempDataDir } from '../training/core-helpers';
import { syntheticGrid } from '../training/fixtures/training-data';
import { coreWithBackbone, mapsOf, trainedModel } from './model-helpers';

const dirs: string[] = [];
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await removeDirs(dirs);
});

describe('model bundles', () => {
  it('round trip: another data dir scores identically and keeps the thresholds', async () => {
    const source = await coreWithBackbone(dirs, cores);
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

    const target = await coreWithBackbone(dirs, cores);
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
    const source = await coreWithBackbone(dirs, cores);
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
