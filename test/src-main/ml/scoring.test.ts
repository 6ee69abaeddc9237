import { describe, expect, it } from 'vitest';
import {
  anomalyMapFromPrediction,
  assertFiniteScores,
  imageScore,
  intersectMasks,
  studyScore,
} from '../../../src-main/ml/scoring';

describe('anomalyMapFromPrediction', () => {
  it('averages squared errors over channels per position', () => {
    // 2 channels, 1x2 grid: position 0 errors (1, 3) -> (1+9)/2 = 5; position 1 errors (0, 2) -> 2
    const target = new Float32Array([0, 0, 0, 0]);
    const prediction = new Float32Array([1, 0, 3, 2]);
    expect(
      Array.from(
        anomalyMapFromPrediction(prediction, target, { channels: 2, height: 1, width: 2 }),
      ),
    ).toEqual([5, 2]);
  });

  it('refuses to turn NaN or Inf into a map and names the shape on mismatch', () => {
    const shape = { channels: 1, height: 1, width: 2 };
    expect(() =>
      anomalyMapFromPrediction(new Float32Array([NaN, 0]), new Float32Array(2), shape),
    ).toThrow(/not finite; non-finite outputs are never stored as scores/);
    expect(() =>
      anomalyMapFromPrediction(new Float32Array([3e38, 0]), new Float32Array([-3e38, 0]), shape),
    ).toThrow(/Infinity/);
    expect(() => anomalyMapFromPrediction(new Float32Array(3), new Float32Array(2), shape)).toThrow(
      /expected 1x1x2 = 2/,
    );
  });
});

describe('imageScore and studyScore', () => {
  const map = new Float32Array([9, 1, 2, 3, 4, 5, 6, 7, 8]); // 3x3, the border corner holds the maximum

  it('takes the max, or the mean of the top k', () => {
    expect(imageScore(map, { reduction: 'max' })).toBe(9);
    expect(imageScore(map, { reduction: { topKMean: 3 } })).toBe(8);
    expect(imageScore(map, { reduction: { topKMean: 100 } })).toBe(5);
    expect(() => imageScore(map, { reduction: { topKMean: 0 } })).toThrow(/k >= 1/);
  });

  it('ignores positions outside the valid mask (a border artefact cannot dominate)', () => {
    // e.g. a causal model's first row and column, which lack context
    const interior = new Uint8Array([0, 0, 0, 0, 1, 1, 0, 1, 1]);
    expect(imageScore(map, { reduction: 'max', validMask: interior })).toBe(8);
    const foreground = new Uint8Array([1, 1, 1, 1, 1, 0, 1, 1, 0]);
    expect(
      imageScore(map, { reduction: 'max', validMask: intersectMasks(interior, foreground) }),
    ).toBe(7);
    expect(() => imageScore(map, { reduction: 'max', validMask: new Uint8Array(9) })).toThrow(
      /valid mask is empty/,
    );
    expect(() => imageScore(map, { reduction: 'max', validMask: new Uint8Array(4) })).toThrow(
      /4 positions, the map 9/,
    );
  });

  it('scores a study by its worst image and refuses empty or non-finite input', () => {
    expect(studyScore([0.2, 0.9, 0.4])).toBe(0.9);
    expect(() => studyScore([])).toThrow(/at least one/);
    expect(() => studyScore([0.1, Infinity])).toThrow(/index 1 is not finite/);
    expect(() => assertFiniteScores([1, NaN], 'frame 3')).toThrow(/^frame 3: value NaN at index 1/);
  });
});
