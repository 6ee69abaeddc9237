import { describe, expect, it } from 'vitest';
import { contextValidMask, imageValidMask } from '../../../src-main/engine/valid-mask';
import { parseArConfig } from '../../../src-main/ml/ar/config';
import { imageScore } from '../../../src-main/ml/scoring';

const G = 28;
const rowSum = (mask: Uint8Array, y: number): number =>
  mask.slice(y * G, (y + 1) * G).reduce((a, b) => a + b, 0);

describe('which patches an image score reads', () => {
  it("keeps every position of the paper's bidirectional [4,4,4,4] model on a 28x28 grid", () => {
    const mask = contextValidMask(
      [parseArConfig({ inChannels: 8, dilations: [4, 4, 4, 4] })],
      G,
      G,
    );
    expect(mask.every((v) => v === 1)).toBe(true);
  });

  it("drops a causal model's first rows, where it predicts from almost no context, and keeps the centre", () => {
    const causal = parseArConfig({ inChannels: 8, mode: 'causal', dilations: [4, 4, 4, 4] });
    const mask = contextValidMask([causal], G, G);
    expect(rowSum(mask, 0)).toBe(0);
    expect(rowSum(mask, 1)).toBe(0);
    expect(mask[14 * G + 14]).toBe(1);

    // a border artefact far above everything else does not become the image score
    const map = new Float32Array(G * G).fill(1);
    map.fill(1000, 0, G);
    map[14 * G + 14] = 5;
    expect(imageScore(map, { reduction: 'max', validMask: mask })).toBe(5);
    expect(imageScore(map, { reduction: 'max' })).toBe(1000);
  });

  it('with a flipped partner (maps averaged) keeps only positions where both models have context', () => {
    const causal = parseArConfig({ inChannels: 8, mode: 'causal', dilations: [4, 4, 4, 4] });
    const flipped = parseArConfig({
      inChannels: 8,
      mode: 'causal',
      dilations: [4, 4, 4, 4],
      flipped: true,
    });
    const pair = contextValidMask([causal, flipped], G, G);
    expect(rowSum(pair, 0)).toBe(0);
    expect(rowSum(pair, G - 1)).toBe(0);
    expect(pair.some((v) => v === 1)).toBe(true);
  });

  it('scores a frame without foreground over the positions with context rather than not at all', () => {
    const context = new Uint8Array(G * G).fill(1);
    context[0] = 0;
    const none = new Uint8Array(G * G);
    expect(imageValidMask(none, context)).toEqual(context);
    const some = new Uint8Array(G * G);
    some[0] = 1;
    some[5] = 1;
    expect(Array.from(imageValidMask(some, context)).reduce((a, b) => a + b, 0)).toBe(1);
    expect(imageValidMask(none, new Uint8Array(G * G)).every((v) => v === 1)).toBe(true);
  });
});
