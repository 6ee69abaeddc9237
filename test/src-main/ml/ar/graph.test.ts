import { describe, expect, it } from 'vitest';
import { parseArConfig } from '../../../../src-main/ml/ar/config';
import type { ArConfigInput } from '../../../../src-main/ml/ar/config';
import { AR_INPUT, buildArAnomalyMapGraph, buildArGraph } from '../../../../src-main/ml/ar/graph';
import { arReferenceAnomalyMap, arReferenceForward } from '../../../../src-main/ml/ar/reference';
import {
  flattenArWeights,
  initArWeights,
  unflattenArWeights,
} from '../../../../src-main/ml/ar/weights';
import { maxAbsDiff, randomGrid, runGraph } from './run-ar';

const C = 3;
const H = 11;
const W = 9;
const B = 2;

const cases: ArConfigInput[] = [
  { mode: 'bidirectional', inChannels: C, hidden: 5, dilations: [4, 4, 4, 4] },
  { mode: 'bidirectional', inChannels: C, hidden: 5, dilations: [1, 2, 4, 8] },
  { mode: 'causal', inChannels: C, hidden: 5, dilations: [1, 2, 4, 8] },
  { mode: 'causal', inChannels: C, hidden: 5, dilations: [2], flipped: true },
  { mode: 'standard', inChannels: C, hidden: 5, dilations: [4, 4, 4, 4] },
  { mode: 'standard', inChannels: C, hidden: 4, layers: 3, kernel: 5, dilations: [1, 3] },
];

describe('AR graph in ONNX Runtime', () => {
  it.each(cases)('equals the float64 reference: %j', async (input) => {
    const config = parseArConfig(input);
    const weights = initArWeights(config, 7);
    const features = randomGrid(11, B * C * H * W);
    const onnxOut = await runGraph(buildArGraph(config, weights), AR_INPUT, features, [B, C, H, W]);
    const grid = C * H * W;
    for (let b = 0; b < B; b++) {
      const expected = arReferenceForward(
        config,
        weights,
        features.subarray(b * grid, (b + 1) * grid),
        H,
        W,
      );
      expect(maxAbsDiff(onnxOut.subarray(b * grid, (b + 1) * grid), expected)).toBeLessThan(1e-4);
    }
  });

  it('anomaly map of a causal model and its flipped partner equals the averaged reference maps', async () => {
    const forward = parseArConfig({ mode: 'causal', inChannels: C, hidden: 5, dilations: [1, 2] });
    const flipped = parseArConfig({
      mode: 'causal',
      inChannels: C,
      hidden: 5,
      dilations: [1, 2],
      flipped: true,
    });
    const models = [
      { config: forward, weights: initArWeights(forward, 1) },
      { config: flipped, weights: initArWeights(flipped, 2) },
    ];
    const features = randomGrid(3, B * C * H * W);
    const map = await runGraph(buildArAnomalyMapGraph(models), AR_INPUT, features, [B, C, H, W]);
    expect(map.length).toBe(B * H * W);
    for (let b = 0; b < B; b++) {
      const expected = arReferenceAnomalyMap(
        models,
        features.subarray(b * C * H * W, (b + 1) * C * H * W),
        H,
        W,
      );
      expect(maxAbsDiff(map.subarray(b * H * W, (b + 1) * H * W), expected)).toBeLessThan(1e-4);
    }
  });

  it('rebuilds the same model from config + flat weights', async () => {
    const config = parseArConfig({ inChannels: C, hidden: 6 });
    const weights = initArWeights(config, 5);
    const rebuilt = unflattenArWeights(config, flattenArWeights(config, weights));
    const features = randomGrid(9, C * H * W);
    const a = await runGraph(buildArGraph(config, weights), AR_INPUT, features, [1, C, H, W]);
    const b = await runGraph(buildArGraph(config, rebuilt), AR_INPUT, features, [1, C, H, W]);
    expect(maxAbsDiff(a, b)).toBe(0);
  });

  it('initialises like PyTorch Conv2d: uniform within 1/sqrt(fan_in)', () => {
    const config = parseArConfig({ inChannels: 384 });
    const weights = initArWeights(config, 0);
    const bound0 = 1 / Math.sqrt(384 * 9);
    const first = weights.layers[0]!.weight;
    const max = first.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(max).toBeLessThanOrEqual(bound0);
    expect(max).toBeGreaterThan(0.99 * bound0);
    const middleBound = 1 / Math.sqrt(256 * 9);
    expect(weights.layers[2]!.bias.every((v) => Math.abs(v) <= middleBound)).toBe(true);
  });
});
