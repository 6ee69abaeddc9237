/**
 * Issue 3: the vits16 stand-in backbone (ViT-S/16's exact dimensions and
 * cost, random weights) per 448x448 image, batch 1, preprocessing excluded,
 * with its GFLOP/s against the run's MatMul peak. No goal in the issue: the
 * figure says what the backbone costs next to the AR model.
 */
import { runFloat32 } from '../src-main/ml/onnx/session';
import { STANDIN_PRESETS, STANDIN_REGISTERS } from '../src-main/ml/backbone/standin';
import { preprocessPng8 } from '../src-main/ml/preprocess';
import type { Benchmark, Figure } from './figure';
import { timeMs } from './figure';
import { benchFixtures } from './fixtures';
import { matmulPeak } from './peak';

/**
 * Multiply-add FLOPs of a ViT forward pass on `tokens` tokens of width C with
 * MLP width M, `blocks` blocks: per block 2T(4C^2 + 2CM) for the projections
 * and MLP plus 4T^2C for attention scores and mixing; plus the patch embedding.
 */
export function vitFlops(tokens: number, patches: number, patchPixels: number): number {
  const { embedDim: C, blocks, mlpDim: M } = STANDIN_PRESETS.vits16;
  const perBlock = 2 * tokens * (4 * C * C + 2 * C * M) + 4 * tokens * tokens * C;
  return blocks * perBlock + 2 * patches * C * patchPixels;
}

export const backboneBenchmark: Benchmark = {
  name: 'backbone',
  issue: 3,
  async run(): Promise<Figure[]> {
    const { backbone, phantom } = await benchFixtures();
    const peak = await matmulPeak();
    const size = backbone.manifest.inputSize;
    const image = phantom.testGood[0]!;
    const input = preprocessPng8(image.pixels, image.width, image.height, size);
    const feeds = { [backbone.manifest.inputName]: { data: input, dims: [1, 3, size, size] } };
    const ms = await timeMs(() => runFloat32(backbone.session, feeds), 5, 1);
    const patches = backbone.grid * backbone.grid;
    const flops = vitFlops(patches + 1 + STANDIN_REGISTERS, patches, 3 * 16 * 16);
    return [
      {
        id: 'backbone.ms_per_image',
        label: `vits16 stand-in, ms per ${size}x${size} image (batch 1)`,
        value: ms,
        unit: 'ms',
      },
      {
        id: 'backbone.gflops',
        label: `vits16 stand-in GFLOP/s (${(flops / 1e9).toFixed(1)} GFLOP/image)`,
        value: flops / (ms * 1e6),
        unit: 'GFLOP/s',
        comparison: { label: `MatMul ${peak.side}^3 peak`, value: peak.gflops, unit: 'GFLOP/s' },
      },
    ];
  },
};
