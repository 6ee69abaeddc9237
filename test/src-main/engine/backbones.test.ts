import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backboneModelPath } from '../../../src-main/engine/backbone-manifest';
import { importBackbone } from '../../../src-main/engine/backbones';
import { probeBackbone } from '../../../src-main/ml/backbone/probe';
import { buildArGraph } from '../../../src-main/ml/ar/graph';
import { parseArConfig } from '../../../src-main/ml/ar/config';
import { initArWeights } from '../../../src-main/ml/ar/weights';
import { buildStandInBackbone } from '../../../src-main/ml/backbone/standin';
import { DATA_LOCATION_EXTERNAL, decodeModel, encodeModel } from '../../../src-main/ml/onnx/proto';
import { sha256Hex } from '../../../src-main/store/content-store';
import { engineTestCore, writeTinyStandIn } from './engine-fixtures';
import type { EngineTestCore } from './engine-fixtures';

const ctx = { transport: 'test' } as const;

/** The tiny stand-in with its largest initializer moved to `location` (relative to `dir`). */
async function writeWithExternalData(dir: string, location: string): Promise<string> {
  const model = decodeModel(buildStandInBackbone({ preset: 'tiny', seed: 2 }));
  const size = (t: { rawData?: Uint8Array | null }): number => t.rawData?.length ?? 0;
  const tensor = [...(model.graph!.initializer ?? [])].sort((a, b) => size(b) - size(a))[0]!;
  const data = tensor.rawData ?? new Uint8Array(0);
  await mkdir(join(dir, location, '..'), { recursive: true });
  await writeFile(join(dir, location), data);
  tensor.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(data.length) },
  ];
  tensor.dataLocation = DATA_LOCATION_EXTERNAL;
  tensor.rawData = new Uint8Array(0);
  const path = join(dir, 'external.onnx');
  await writeFile(path, encodeModel(model));
  return path;
}

describe('backbone import', () => {
  let t: EngineTestCore | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('imports the tiny stand-in once, lists it, and the status bar shows it as a stand-in', async () => {
    t = await engineTestCore();
    const path = await writeTinyStandIn(t.dir);
    const first = await t.core.dispatch('backbones.import', { path }, ctx);
    expect(first).toMatchObject({
      ok: true,
      result: {
        alreadyImported: false,
        backbone: { family: 'standin', standIn: true, embedDim: 32, grid: 28, prefixTokens: 5 },
      },
    });
    const again = await t.core.dispatch('backbones.import', { path, name: 'other name' }, ctx);
    expect(again).toMatchObject({ ok: true, result: { alreadyImported: true } });
    const listed = await t.core.dispatch('backbones.list', {}, ctx);
    expect(listed.ok && listed.result).toHaveLength(1);
    const sha = sha256Hex(await readFile(path));
    expect(listed).toMatchObject({ ok: true, result: [{ sha256: sha, name: 'tiny-standin' }] });
    expect(t.core.store.files.has(sha)).toBe(true);
    expect(await t.core.dispatch('app.status', {}, ctx)).toMatchObject({
      ok: true,
      result: { backbone: { sha256: sha, standIn: true, family: 'standin' } },
    });
    expect(t.workerTasks).toEqual(['backbone.probe']);
  });

  it('accepts an export without prefix tokens', async () => {
    t = await engineTestCore();
    const path = await writeTinyStandIn(t.dir, 'no-prefix', true);
    const imported = await importBackbone(t.core, path);
    expect(imported.backbone.manifest).toMatchObject({ prefixTokens: 0, grid: 28, embedDim: 32 });
  });

  it('refuses a garbage file, a text file renamed .onnx and a non-ViT model, and records nothing', async () => {
    t = await engineTestCore();
    const garbage = join(t.dir, 'garbage.onnx');
    await writeFile(
      garbage,
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251),
    );
    const text = join(t.dir, 'notes.onnx');
    await writeFile(text, 'This is a text file about DINOv3, not a model.\n'.repeat(20));
    for (const path of [garbage, text]) {
      const outcome = await t.core.dispatch('backbones.import', { path }, ctx);
      expect(outcome).toMatchObject({ ok: false, error: { name: 'InvalidRequest' } });
      expect(!outcome.ok && outcome.error.message).toMatch(/not an ONNX model/);
      expect(t.core.store.files.has(sha256Hex(await readFile(path)))).toBe(false);
    }
    // a valid ONNX model that is not an image ViT: the AR model itself (32-channel input)
    const config = parseArConfig({ inChannels: 32, hidden: 4, layers: 2, dilations: [1] });
    const notVit = join(t.dir, 'ar-model.onnx');
    await writeFile(notVit, buildArGraph(config, initArWeights(config, 1)));
    const nonVit = await t.core.dispatch('backbones.import', { path: notVit }, ctx);
    expect(nonVit).toMatchObject({ ok: false, error: { name: 'InvalidRequest' } });
    expect(!nonVit.ok && nonVit.error.message).toMatch(
      /takes 32 image channels; a DINO-style backbone takes 3/,
    );
    expect(t.core.store.models.listBackbones()).toEqual([]);
    expect(await t.core.dispatch('app.status', {}, ctx)).toMatchObject({
      ok: true,
      result: { backbone: null },
    });
    expect(
      await t.core.dispatch('backbones.import', { path: join(t.dir, 'absent.onnx') }, ctx),
    ).toMatchObject({
      ok: false,
      error: { name: 'NotFound' },
    });
  });

  it('fails the import cleanly when the worker crashes while probing, and the core stays usable', async () => {
    t = await engineTestCore({ crashInstead: 'backbone.probe' });
    const path = await writeTinyStandIn(t.dir);
    const outcome = await t.core.dispatch('backbones.import', { path }, ctx);
    expect(outcome).toMatchObject({ ok: false, error: { name: 'WorkerFailed' } });
    expect(!outcome.ok && outcome.error.message).toMatch(
      /backbone\.probe failed: the worker process was killed by signal SIGABRT/,
    );
    expect(t.core.store.models.listBackbones()).toEqual([]);
    expect(t.core.store.files.has(sha256Hex(await readFile(path)))).toBe(false);
    // the app is fine: other requests answer, and other worker tasks run in a fresh worker
    expect(await t.core.dispatch('backbones.list', {}, ctx)).toEqual({ ok: true, result: [] });
    const echo = await t.core.workers.run(
      'selftest.echo',
      { values: new Float32Array([1]), bytes: new Uint8Array([2]), text: 'still here' },
      { timeoutMs: 30_000, memoryMb: 512 },
    );
    expect(echo.text).toBe('still here');
  });

  it('copies external data from the model folder with it and loads from the stored copies; refuses data outside the folder', async () => {
    t = await engineTestCore();
    const inside = await writeWithExternalData(join(t.dir, 'inside'), 'weights/patch.bin');
    const imported = await importBackbone(t.core, inside);
    expect(imported.backbone.manifest).toMatchObject({
      externalData: [{ location: 'weights/patch.bin' }],
    });
    // the original folder may go away: the stored copies are enough to load and run it
    const loadable = await backboneModelPath(t.core.store, imported.backbone);
    await expect(probeBackbone(loadable)).resolves.toMatchObject({
      sha256: imported.backbone.sha256,
      embedDim: 32,
    });

    const outsideDir = join(t.dir, 'outside', 'model');
    await mkdir(outsideDir, { recursive: true });
    const outside = await writeWithExternalData(outsideDir, '../shared.bin');
    const refused = await t.core.dispatch('backbones.import', { path: outside }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { name: 'InvalidRequest' } });
    expect(!refused.ok && refused.error.message).toMatch(/external data outside its own folder/);
    expect(t.core.store.models.listBackbones()).toHaveLength(1);
  });
});
