import { describe, expect, it } from 'vitest';
import {
  buildStandInBackbone,
  STANDIN_INPUT,
  STANDIN_OUTPUT,
} from '../../../../src-main/ml/backbone/standin';
import { decodeModel, int64ToNumber } from '../../../../src-main/ml/onnx/proto';
import { closeSession, createSession, runFloat32 } from '../../../../src-main/ml/onnx/session';
import { createRng } from '../../../../src-main/ml/random';

function image(seed: number, size: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: 3 * size * size }, () => rng.normal());
}

async function run(
  model: Uint8Array,
  pixels: Float32Array,
  size: number,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await createSession(model, { providers: ['cpu'] });
  try {
    return (
      await runFloat32(session, { [STANDIN_INPUT]: { data: pixels, dims: [1, 3, size, size] } })
    )[STANDIN_OUTPUT]!;
  } finally {
    await closeSession(session);
  }
}

describe('stand-in backbone', () => {
  it('tiny: DINOv3 interface, [1, 5 + 784, 32] at 448, deterministic per seed, different across seeds', async () => {
    const a = buildStandInBackbone({ preset: 'tiny', seed: 1 });
    expect(buildStandInBackbone({ preset: 'tiny', seed: 1 })).toEqual(a);
    const pixels = image(0, 448);
    const outA = await run(a, pixels, 448);
    expect(outA.dims).toEqual([1, 5 + 28 * 28, 32]);
    const outB = await run(buildStandInBackbone({ preset: 'tiny', seed: 2 }), pixels, 448);
    expect(outB.data).not.toEqual(outA.data);
    // features follow the image, not only the position
    const outOther = await run(a, image(1, 448), 448);
    let diff = 0;
    for (let i = 5 * 32; i < outA.data.length; i++)
      diff += Math.abs(outA.data[i]! - outOther.data[i]!);
    expect(diff / (outA.data.length - 5 * 32)).toBeGreaterThan(0.1);
    expect(outA.data.every(Number.isFinite)).toBe(true);
  });

  it('tiny: spatial size is dynamic (224 gives a 14x14 grid)', async () => {
    const out = await run(buildStandInBackbone({ preset: 'tiny', seed: 1 }), image(0, 224), 224);
    expect(out.dims).toEqual([1, 5 + 14 * 14, 32]);
  });

  it('vits16: exactly ViT-S/16 (384 wide, 12 blocks, 6 heads, MLP 1536) and its parameter count', () => {
    const initializers = (
      decodeModel(buildStandInBackbone({ preset: 'vits16', seed: 0 })).graph?.initializer ?? []
    ).map((t) => ({
      name: t.name ?? '',
      isFloat: t.dataType === 1,
      dims: (t.dims ?? []).map(int64ToNumber),
      int64s: (t.int64Data ?? []).map(int64ToNumber),
    }));
    const shapes = new Map(initializers.map((t) => [t.name, t.dims]));
    expect(shapes.get('patch_embed.weight')).toEqual([384, 3, 16, 16]);
    expect(shapes.get('prefix_tokens')).toEqual([1, 5, 384]);
    for (let block = 0; block < 12; block++) {
      expect(shapes.get(`blocks.${block}.attn.qkv.weight`)).toEqual([384, 1152]);
      expect(shapes.get(`blocks.${block}.mlp.fc1.weight`)).toEqual([384, 1536]);
    }
    expect(shapes.has('blocks.12.attn.qkv.weight')).toBe(false);
    // the reshape that splits qkv into heads: [B, T, 3, 6 heads, 64]
    expect(initializers.some((t) => t.int64s.join() === '0,0,3,6,64')).toBe(true);
    // learned tensors only: the graph's scalar constants (attention scale, GELU) are named const_*
    const learned = initializers.filter((t) => t.isFloat && !t.name.startsWith('const'));
    const floats = learned.reduce((sum, t) => sum + t.dims.reduce((a, d) => a * d, 1), 0);
    // ViT-S/16 with 4 registers: 21,591,552 (DINOv3 ViT-S/16, about 21.6M) + 784 x 384 learned position embeddings
    expect(floats).toBe(21_591_552 + 784 * 384);
  });
});
