import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractPatchGrid, probeBackbone } from '../../../../src-main/ml/backbone/probe';
import { buildStandInBackbone } from '../../../../src-main/ml/backbone/standin';
import { GraphBuilder } from '../../../../src-main/ml/onnx/graph-builder';
import { DATA_LOCATION_EXTERNAL, encodeModel } from '../../../../src-main/ml/onnx/proto';
import { closeSession, createSession, runFloat32 } from '../../../../src-main/ml/onnx/session';
import { createRng } from '../../../../src-main/ml/random';

const dir = mkdtempSync(join(tmpdir(), 'normscope-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A conv net on [1, 3, 448, 448] with `stride`x`stride` patches and an optional multiplier (NaN to poison it). */
function convNet(stride: number, multiplier = 1): GraphBuilder {
  const g = new GraphBuilder('convnet');
  const x = g.input('image', 'float32', [1, 3, 448, 448]);
  const rng = createRng(3);
  const w = g.floatTensor(
    'w',
    Float32Array.from({ length: 8 * 3 * stride * stride }, () => rng.normal()),
    [8, 3, stride, stride],
  );
  const conv = g.node('Conv', [x, w], {
    kernel_shape: { ints: [stride, stride] },
    strides: { ints: [stride, stride] },
  });
  const side = 448 / stride;
  g.node('Mul', [conv, g.scalar(multiplier)], {}, 'features');
  g.output('features', 'float32', [1, 8, side, side]);
  return g;
}

const invalid = { name: 'InvalidRequest' };

describe('probeBackbone', () => {
  it('accepts the tiny stand-in and marks it non-clinical', async () => {
    const bytes = buildStandInBackbone({ preset: 'tiny', seed: 4 });
    const path = join(dir, 'tiny.onnx');
    writeFileSync(path, bytes);
    const manifest = await probeBackbone(path);
    expect(manifest).toMatchObject({
      family: 'standin',
      name: 'tiny',
      inputName: 'pixel_values',
      outputName: 'last_hidden_state',
      outputLayout: 'tokens',
      patchSize: 16,
      embedDim: 32,
      prefixTokens: 5,
      inputSize: 448,
      grid: 28,
      dynamicSize: true,
      standIn: true,
      source: path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(manifest.licenceNote).toMatch(/NOT for clinical use/);
    expect(manifest.notes.join(' ')).toMatch(/seed 4.*position embedding: learned absolute 28x28/);
  });

  it('accepts the vits16 stand-in: 384-dim tokens, 5 prefix tokens', async () => {
    const manifest = await probeBackbone(buildStandInBackbone({ preset: 'vits16', seed: 0 }));
    expect(manifest).toMatchObject({
      family: 'standin',
      embedDim: 384,
      prefixTokens: 5,
      patchSize: 16,
      grid: 28,
    });
  });

  it('accepts an export without prefix tokens and extracts the same patch grid', async () => {
    const withPrefix = buildStandInBackbone({ preset: 'tiny', seed: 9 });
    const withoutPrefix = buildStandInBackbone({ preset: 'tiny', seed: 9, dropPrefixTokens: true });
    const manifestA = await probeBackbone(withPrefix);
    const manifestB = await probeBackbone(withoutPrefix);
    expect(manifestB).toMatchObject({
      prefixTokens: 0,
      outputLayout: 'tokens',
      grid: 28,
      embedDim: 32,
    });

    const rng = createRng(5);
    const pixels = Float32Array.from({ length: 2 * 3 * 448 * 448 }, () => rng.normal());
    const gridOf = async (
      model: Uint8Array,
      manifest: typeof manifestA,
      b: number,
    ): Promise<Float32Array> => {
      const session = await createSession(model, { providers: ['cpu'] });
      const out = await runFloat32(session, {
        pixel_values: { data: pixels, dims: [2, 3, 448, 448] },
      });
      await closeSession(session);
      return extractPatchGrid(out[manifest.outputName]!, manifest, b);
    };
    const a = await gridOf(withPrefix, manifestA, 1);
    const b = await gridOf(withoutPrefix, manifestB, 1);
    expect(a.length).toBe(32 * 28 * 28);
    expect(b).toEqual(a);
    const first = await gridOf(withPrefix, manifestA, 0);
    expect(first).not.toEqual(a);
  });

  it('accepts a [B, C, 28, 28] layout with a fixed input size', async () => {
    const manifest = await probeBackbone(convNet(16).build());
    expect(manifest).toMatchObject({
      family: 'vit',
      standIn: false,
      inputName: 'image',
      outputName: 'features',
      outputLayout: 'channels',
      patchSize: 16,
      embedDim: 8,
      prefixTokens: 0,
      grid: 28,
      dynamicSize: false,
    });
  });

  it('rejects random bytes and a text file renamed .onnx', async () => {
    const rng = createRng(1);
    await expect(
      probeBackbone(Uint8Array.from({ length: 4096 }, () => rng.int(256))),
    ).rejects.toMatchObject({
      ...invalid,
      message: expect.stringMatching(/not an ONNX model/),
    });
    const text = join(dir, 'notes.onnx');
    writeFileSync(text, 'This is a README, not a model.\nIt was renamed to .onnx by mistake.\n');
    await expect(probeBackbone(text)).rejects.toMatchObject({
      ...invalid,
      message: expect.stringMatching(/not an ONNX model/),
    });
  });

  it('rejects a conv net whose output is not a patch grid and a model with no image input', async () => {
    await expect(probeBackbone(convNet(1).build())).rejects.toMatchObject({
      ...invalid,
      message: expect.stringMatching(/not a ViT-style patch-token model/),
    });
    const g = new GraphBuilder('mlp');
    const x = g.input('x', 'float32', [1, 10]);
    g.node('Relu', [x], {}, 'y');
    g.output('y', 'float32', [1, 10]);
    await expect(probeBackbone(g.build())).rejects.toMatchObject({
      ...invalid,
      message: expect.stringMatching(/not an image backbone/),
    });
  });

  it('rejects a model whose features are NaN', async () => {
    await expect(probeBackbone(convNet(16, Number.NaN).build())).rejects.toMatchObject({
      ...invalid,
      message: expect.stringMatching(/NaN or Inf/),
    });
  });

  it('rejects external data outside the model folder, before loading it', async () => {
    const model = convNet(16).model();
    const weight = model.graph!.initializer!.find((t) => t.name === 'w')!;
    weight.rawData = null;
    weight.dataLocation = DATA_LOCATION_EXTERNAL;
    weight.externalData = [{ key: 'location', value: '../outside.bin' }];
    const folder = join(dir, 'model');
    mkdirSync(folder);
    writeFileSync(join(dir, 'outside.bin'), new Uint8Array(8 * 3 * 16 * 16 * 4));
    const path = join(folder, 'model.onnx');
    writeFileSync(path, encodeModel(model));
    await expect(probeBackbone(path)).rejects.toMatchObject({
      ...invalid,
      message: expect.stringMatching(/external data outside its own folder/),
    });
  });
});
