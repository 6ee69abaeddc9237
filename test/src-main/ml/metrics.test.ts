import { describe, expect, it } from 'vitest';
import {
  StreamingScoreCounts,
  auroc,
  aurocFromRanked,
  averagePrecision,
  averagePrecisionFromRanked,
  confusionAtThreshold,
  rankScores,
  rocCurveFromRanked,
  sensitivity,
  specificity,
  thresholdAtFalsePositiveRate,
} from '../../../src-main/ml/metrics';
import { createRng } from '../../../src-main/ml/random';

/** AUROC by its definition: P(score+ > score-) + 0.5 P(score+ = score-), over all pairs. */
function bruteForceAuroc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (labels[i]! <= 0) return;
    scores.forEach((sn, j) => {
      if (labels[j]! > 0) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('AUROC and average precision', () => {
  it('match sklearn on its documented example', () => {
    // sklearn docs: roc_auc_score([0,0,1,1],[.1,.4,.35,.8]) = 0.75, average_precision_score = 0.8333...
    const labels = [0, 0, 1, 1];
    const scores = [0.1, 0.4, 0.35, 0.8];
    expect(auroc(scores, labels)).toBeCloseTo(0.75, 12);
    // thresholds .8 (R=1/2, P=1), .4 (no positive), .35 (R=1, P=2/3): 1/2*1 + 1/2*2/3
    expect(averagePrecision(scores, labels)).toBeCloseTo(5 / 6, 12);
  });

  it('group tied scores (tied pairs count half; a tie group is one threshold)', () => {
    const labels = [0, 1, 0, 1, 1];
    const scores = [0.5, 0.5, 0.2, 0.9, 0.5];
    // pairs: 0.9 beats both negatives (2), each 0.5 positive ties 0.5 (0.5) and beats 0.2 (1): 2 + 1.5 + 1.5 = 5 of 6
    expect(auroc(scores, labels)).toBeCloseTo(5 / 6, 12);
    // threshold .9: R 1/3, P 1; threshold .5: R 1, P 3/4 -> 1/3 + 2/3 * 3/4 = 5/6
    expect(averagePrecision(scores, labels)).toBeCloseTo(5 / 6, 12);
  });

  it('match sklearn 1.2 on a tie-heavy case', () => {
    const scores = Array.from({ length: 20 }, (_, i) => ((i * 37) % 11) / 10);
    const labels = Array.from({ length: 20 }, (_, i) => ((i * 5) % 7 < 3 ? 1 : 0));
    // roc_auc_score and average_precision_score on these arrays
    expect(auroc(scores, labels)).toBeCloseTo(0.265625, 14);
    expect(averagePrecision(scores, labels)).toBeCloseTo(0.3235615079365079, 14);
  });

  it('give chance AUROC and prevalence AP when all scores are equal', () => {
    const labels = [1, 0, 0, 0, 1, 0, 0, 0];
    const scores = new Float32Array(8).fill(3);
    expect(auroc(scores, labels)).toBe(0.5);
    expect(averagePrecision(scores, labels)).toBe(0.25);
  });

  it('refuse single-class inputs with a clear error instead of NaN', () => {
    expect(() => auroc([0.1, 0.2], [1, 1])).toThrow(
      /AUROC is undefined without both classes: 2 positives, 0 negatives/,
    );
    expect(() => averagePrecision([0.1, 0.2], [0, 0])).toThrow(/without positives/);
    expect(averagePrecision([0.1, 0.2], [1, 255])).toBe(1);
    expect(() => auroc([NaN, 1], [0, 1])).toThrow(/NaN/);
    expect(() => auroc([1, 2], [0])).toThrow(/differ in length/);
  });

  it('treat labels > 0 as positive and honour an include mask', () => {
    const scores = [0.9, 0.8, 0.1, 0.95];
    const labels = [255, 0, 0, 0];
    expect(auroc(scores, labels)).toBeCloseTo(2 / 3, 12);
    expect(auroc(scores, labels, [1, 1, 1, 0])).toBe(1);
  });

  it('equal the pairwise definition on random data with many ties', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + rng.int(100);
      const labels = Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
      labels[0] = 1;
      labels[1] = 0;
      const scores = Array.from({ length: n }, (_, i) => rng.int(8) + labels[i]! * rng.int(3));
      expect(auroc(scores, labels)).toBeCloseTo(bruteForceAuroc(scores, labels), 12);
    }
  });

  it('give a ROC curve whose trapezoid area is the AUROC', () => {
    const labels = [0, 1, 0, 1, 1, 0];
    const scores = [0.5, 0.5, 0.2, 0.9, 0.7, 0.1];
    const curve = rocCurveFromRanked(rankScores(scores, labels));
    expect(Array.from(curve.thresholds)).toEqual([Infinity, 0.9, 0.7, 0.5, 0.2, 0.1]);
    expect(Array.from(curve.truePositiveRate)).toEqual([0, 1 / 3, 2 / 3, 1, 1, 1]);
    expect(Array.from(curve.falsePositiveRate)).toEqual([0, 0, 0, 1 / 3, 2 / 3, 1]);
    let area = 0;
    for (let k = 1; k < curve.thresholds.length; k++) {
      const dx = curve.falsePositiveRate[k]! - curve.falsePositiveRate[k - 1]!;
      area += (dx * (curve.truePositiveRate[k]! + curve.truePositiveRate[k - 1]!)) / 2;
    }
    expect(area).toBeCloseTo(auroc(scores, labels), 12);
    expect(area).toBeCloseTo(1 - 0.5 / 9, 12);
  });
});

describe('StreamingScoreCounts', () => {
  it('equals the exact metrics for float16-representable scores, added in chunks', () => {
    const rng = createRng(5);
    const n = 20_000;
    const scores = new Float32Array(n);
    const labels = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      labels[k] = rng.next() < 0.1 ? 255 : 0;
      scores[k] = Math.round((rng.normal() + (labels[k] ? 1.5 : 0)) * 64) / 64; // multiples of 1/64: exact halves
    }
    const streaming = new StreamingScoreCounts();
    for (let start = 0; start < n; start += 3000) {
      streaming.add(scores.subarray(start, start + 3000), labels.subarray(start, start + 3000));
    }
    expect(streaming.totalPositives + streaming.totalNegatives).toBe(n);
    expect(aurocFromRanked(streaming)).toBeCloseTo(auroc(scores, labels), 12);
    expect(averagePrecisionFromRanked(streaming)).toBeCloseTo(averagePrecision(scores, labels), 12);
  });

  it('orders negative, zero and positive scores and treats -0 as 0', () => {
    const streaming = new StreamingScoreCounts();
    streaming.add([-3, -0, 0, 2, -1e-6], [0, 1, 0, 1, 0]);
    const seen: number[] = [];
    streaming.forEachThresholdDescending((threshold) => seen.push(threshold));
    expect(seen[0]).toBe(2);
    expect(seen[1]).toBe(0);
    expect(seen[3]).toBe(-3);
    expect(seen).toHaveLength(4);
    // pairs: 2 beats all 3 negatives; 0 ties 0 and beats -1e-6 and -3 -> 3 + 2.5 of 6
    expect(aurocFromRanked(streaming)).toBeCloseTo(5.5 / 6, 12);
  });

  it('refuses scores beyond the float16 range rather than tying them', () => {
    const streaming = new StreamingScoreCounts();
    expect(() => streaming.add([70000], [1])).toThrow(/float16 range/);
    expect(() => streaming.add([1, 2], [1, 0], [1])).toThrow(/differ in length/);
  });
});

describe('thresholds and the confusion matrix', () => {
  it('count cases with score >= threshold as positive', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4];
    const labels = [0, 0, 1, 1, 1];
    const matrix = confusionAtThreshold(scores, labels, 0.4);
    expect(matrix).toEqual({
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
    });
    expect(sensitivity(matrix)).toBeCloseTo(2 / 3, 12);
    expect(specificity(matrix)).toBe(0.5);
    expect(() => specificity(confusionAtThreshold([1], [1], 0))).toThrow(/without negatives/);
  });

  it('picks the quantile of negatives that meets the target false-positive rate', () => {
    const negatives = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(thresholdAtFalsePositiveRate(negatives, 0.2)).toBe(9); // 9 and 10 flagged: 2/10
    expect(thresholdAtFalsePositiveRate(negatives, 0.25)).toBe(9);
    expect(thresholdAtFalsePositiveRate(negatives, 1)).toBe(1);
    const zero = thresholdAtFalsePositiveRate(negatives, 0);
    expect(zero).toBeGreaterThan(10);
    expect(zero - 10).toBeLessThan(1e-12);
  });

  it('never splits a tie group, so the achieved rate stays at or below the target', () => {
    const negatives = [1, 2, 3, 3, 3];
    const t = thresholdAtFalsePositiveRate(negatives, 0.2);
    expect(t).toBeGreaterThan(3);
    expect(negatives.filter((s) => s >= t)).toHaveLength(0);
    // three false positives allowed, but t = 2 would flag four (0.8): the next value up, 3, flags two
    expect(thresholdAtFalsePositiveRate([1, 2, 2, 3, 4], 0.6)).toBe(3);
  });

  it('rejects a target outside [0, 1] and empty negatives', () => {
    expect(() => thresholdAtFalsePositiveRate([1], 1.5)).toThrow(/\[0, 1\]/);
    expect(() => thresholdAtFalsePositiveRate([], 0.1)).toThrow(/at least one/);
  });
});
