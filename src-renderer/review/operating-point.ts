/**
 * Picking an operating point on the ROC of AI flags against verdicts: the
 * image threshold that reaches a wanted sensitivity with the fewest false
 * positives, or a wanted specificity with the most true positives.
 */
import type { Performance } from '../../src-main/api/contract';

export interface OperatingPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
  confusion: { truePositives: number; falsePositives: number; trueNegatives: number; falseNegatives: number };
}

type Roc = NonNullable<Performance['roc']>;

function pointAt(roc: Roc, k: number, positives: number, negatives: number): OperatingPoint {
  const tpr = roc.truePositiveRate[k]!;
  const fpr = roc.falsePositiveRate[k]!;
  const truePositives = Math.round(tpr * positives);
  const falsePositives = Math.round(fpr * negatives);
  return {
    threshold: roc.thresholds[k]!,
    sensitivity: tpr,
    specificity: 1 - fpr,
    confusion: { truePositives, falsePositives, trueNegatives: negatives - falsePositives, falseNegatives: positives - truePositives },
  };
}

/**
 * The ROC point for a target: by 'sensitivity' the first point (fewest false
 * positives) whose sensitivity is at least `target`; by 'specificity' the last
 * point (most true positives) whose specificity is at least `target`.
 */
export function operatingPoint(
  roc: Roc,
  by: 'sensitivity' | 'specificity',
  target: number,
  positives: number,
  negatives: number,
): OperatingPoint {
  const n = roc.thresholds.length;
  if (by === 'sensitivity') {
    for (let k = 0; k < n; k++) if (roc.truePositiveRate[k]! >= target - 1e-12) return pointAt(roc, k, positives, negatives);
    return pointAt(roc, n - 1, positives, negatives);
  }
  for (let k = n - 1; k >= 0; k--) if (1 - roc.falsePositiveRate[k]! >= target - 1e-12) return pointAt(roc, k, positives, negatives);
  return pointAt(roc, 0, positives, negatives);
}
