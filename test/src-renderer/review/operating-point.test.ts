import { describe, expect, it } from 'vitest';
import { operatingPoint } from '../../../src-renderer/review/operating-point';

// 4 abnormal, 4 normal; thresholds descending as metrics.rocCurveFromRanked gives them
const roc = {
  thresholds: [9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
  truePositiveRate: [0, 0.25, 0.5, 0.75, 0.75, 1, 1],
  falsePositiveRate: [0, 0, 0, 0.25, 0.5, 0.5, 1],
};

describe('operatingPoint', () => {
  it('by sensitivity takes the fewest false positives that reach the target', () => {
    const point = operatingPoint(roc, 'sensitivity', 0.75, 4, 4);
    expect(point.threshold).toBe(0.7);
    expect(point.confusion).toEqual({ truePositives: 3, falsePositives: 1, trueNegatives: 3, falseNegatives: 1 });
  });

  it('by specificity takes the most true positives that keep the target', () => {
    const point = operatingPoint(roc, 'specificity', 0.5, 4, 4);
    expect(point.threshold).toBe(0.5);
    expect(point.sensitivity).toBe(1);
    expect(operatingPoint(roc, 'specificity', 1, 4, 4).threshold).toBe(0.8);
  });
});
