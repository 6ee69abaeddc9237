import { describe, expect, it } from 'vitest';
import {
  EvaluationAccumulator,
  scoringPositions,
} from '../../../src-main/evaluate/metrics-accumulator';
import { parseArConfig } from '../../../src-main/ml/ar/config';
import type { GreyImage8 } from '../../../src-main/ml/phantom/bmad';

const count = (mask: Uint8Array): number => mask.reduce((a, b) => a + b, 0);

describe('scoringPositions', () => {
  it('keeps every position of a bidirectional model and drops the first rows and columns of a causal one', () => {
    const grid = 28;
    const bidirectional = parseArConfig({ inChannels: 4 });
    expect(count(scoringPositions([bidirectional], grid, grid))).toBe(grid * grid);
    const causal = parseArConfig({ inChannels: 4, mode: 'causal' });
    const mask = scoringPositions([causal], grid, grid);
    expect(mask[0]).toBe(0); // the first position predicts from nothing
    expect(mask[grid * grid - 1]).toBe(1);
    expect(count(mask)).toBeLessThan(0.6 * grid * grid);
    // the flipped partner has context where the first model lacks it (the first rows): together
    // they leave out only some corner positions, short of context in both
    const flipped = parseArConfig({ inChannels: 4, mode: 'causal', flipped: true });
    const pair = scoringPositions([causal, flipped], grid, grid);
    expect(pair[0]).toBe(1);
    expect(count(pair)).toBeGreaterThan(0.9 * grid * grid);
    expect(count(pair)).toBeLessThan(grid * grid);
  });
});

/** An 8x8 image: background 0, a bright 4x4 foreground square in the middle. */
function squareImage(): GreyImage8 {
  const pixels = new Uint8Array(64);
  for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) pixels[y * 8 + x] = 200;
  return { pixels, width: 8, height: 8 };
}

describe('EvaluationAccumulator', () => {
  it('scores a map that marks the lesion perfectly 1, and image AUROC from the map maxima', () => {
    const acc = new EvaluationAccumulator(2, new Uint8Array(4).fill(1));
    const image = squareImage();
    // lesion in the top-left quarter of the image; the map marks the top-left patch
    const label = new Uint8Array(64);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) label[y * 8 + x] = 1;
    // a constant map upsamples to a constant image; the normal image's map is lower everywhere
    acc.add(Float32Array.of(1, 1, 1, 1), image, undefined);
    acc.add(Float32Array.of(9, 0, 0, 0), image, label);
    const result = acc.result();
    expect(result.images).toEqual({ normal: 1, anomalous: 1 });
    expect(result.whole.imageAuroc).toBe(1);
    // upsampled bilinearly, the marked patch still ranks every lesion pixel above every other pixel
    expect(result.whole.pixelAuroc).toBe(1);
  });

  it('counts only foreground pixels in the foreground metrics', () => {
    const image = squareImage();
    const label = new Uint8Array(64);
    label[3 * 8 + 3] = 1; // one lesion pixel inside the square
    const whole = new EvaluationAccumulator(2, new Uint8Array(4).fill(1));
    const map = Float32Array.of(0.5, 0.5, 0.5, 0.5);
    whole.add(map, image, label);
    whole.add(Float32Array.of(0.1, 0.1, 0.1, 0.1), image, undefined);
    const r = whole.result();
    // within an image all pixels tie: the lesion pixel beats the normal image's pixels and ties
    // with its own image's other pixels. Whole image: 64 pixels per image.
    expect(r.whole.pixelAuroc).toBeCloseTo((64 + 63 / 2) / 127, 12);
    // foreground: the 4x4 square dilated by one pixel, 36 pixels per image
    expect(r.foreground.pixelAuroc).toBeCloseTo((36 + 35 / 2) / 71, 12);
  });
});
