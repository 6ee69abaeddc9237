/**
 * Binary classification metrics as BMAD and the paper report them: AUROC and
 * average precision (AUPR), exact with tied scores, plus the threshold tools the
 * calibration needs. Labels are positive where > 0 (BMAD masks are 0/255).
 *
 * Two ways to rank scores, one interface (`RankedScores`) for every metric:
 * - `rankScores` (exact): sorts positives and negatives separately with the
 *   native typed-array sort and merges them from the top. Memory is one copy of
 *   the scores (float32 when given float32, else float64), so tens of millions
 *   of pixels fit; exact for the scores as given.
 * - `StreamingScoreCounts` (streaming, for pixel metrics over a whole test set):
 *   counts, per class, how many scores fall on each of the 65 536 float16 values
 *   (1 MiB whatever the number of pixels). Exact with respect to the scores
 *   rounded to float16 (round to nearest even, about 3 significant digits, the
 *   precision at which maps are stored anyway); scores that round to the same
 *   half are ties. A histogram with arbitrary bins would not be exact for any
 *   well-defined input; this one is exact for a stated one.
 * Ties are grouped: AUROC counts a tied positive/negative pair as half (the ROC
 * curve's diagonal step, as sklearn's roc_auc_score), AP treats a tie group as
 * one threshold (sklearn's average_precision_score).
 * Undefined metrics (AUROC with one class only, AP or sensitivity without
 * positives, specificity without negatives) throw an `InvalidRequest` error
 * rather than return NaN, so an ill-posed evaluation cannot pass unnoticed.
 */
import { NormscopeError } from '../api/errors';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';

/** Scores ranked with their class counts, visited from the highest score down. */
export interface RankedScores {
  readonly totalPositives: number;
  readonly totalNegatives: number;
  /** Calls `visit` once per distinct score, in descending order, with how many positives and negatives have it. */
  forEachThresholdDescending(
    visit: (threshold: number, positives: number, negatives: number) => void,
  ): void;
}

type ScoreArray = Float32Array | Float64Array;

function isPositive(label: number): boolean {
  return label > 0;
}

function checkLengths(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  include?: ArrayLike<number>,
): void {
  if (
    labels.length !== scores.length ||
    (include !== undefined && include.length !== scores.length)
  ) {
    throw new NormscopeError(
      'InvalidRequest',
      `metric inputs differ in length: ${scores.length} scores, ${labels.length} labels` +
        (include === undefined ? '' : `, ${include.length} mask values`),
    );
  }
}

function notANumberError(index: number): NormscopeError {
  return new NormscopeError(
    'InvalidRequest',
    `score at index ${index} is NaN; metrics need ordered scores`,
  );
}

class SortedRankedScores implements RankedScores {
  constructor(
    private readonly positives: ScoreArray, // ascending
    private readonly negatives: ScoreArray, // ascending
  ) {}

  get totalPositives(): number {
    return this.positives.length;
  }

  get totalNegatives(): number {
    return this.negatives.length;
  }

  forEachThresholdDescending(
    visit: (threshold: number, positives: number, negatives: number) => void,
  ): void {
    const pos = this.positives;
    const neg = this.negatives;
    let i = pos.length - 1;
    let j = neg.length - 1;
    while (i >= 0 || j >= 0) {
      const threshold = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
      let dp = 0;
      while (i >= 0 && pos[i] === threshold) {
        dp++;
        i--;
      }
      let dn = 0;
      while (j >= 0 && neg[j] === threshold) {
        dn++;
        j--;
      }
      visit(threshold, dp, dn);
    }
  }
}

/**
 * Exact ranking of `scores` (any units, NaN refused) against `labels` (> 0 is
 * positive), optionally only where `include` is non-zero (e.g. a foreground
 * mask). All three arrays are flat and aligned (e.g. [N, H, W] pixels).
 */
export function rankScores(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  include?: ArrayLike<number>,
): RankedScores {
  checkLengths(scores, labels, include);
  let positiveCount = 0;
  let negativeCount = 0;
  for (let k = 0; k < scores.length; k++) {
    if (include !== undefined && include[k] === 0) continue;
    if (Number.isNaN(scores[k])) throw notANumberError(k);
    if (isPositive(labels[k]!)) positiveCount++;
    else negativeCount++;
  }
  const make = (n: number): ScoreArray =>
    scores instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const positives = make(positiveCount);
  const negatives = make(negativeCount);
  let p = 0;
  let n = 0;
  for (let k = 0; k < scores.length; k++) {
    if (include !== undefined && include[k] === 0) continue;
    if (isPositive(labels[k]!)) positives[p++] = scores[k]!;
    else negatives[n++] = scores[k]!;
  }
  positives.sort();
  negatives.sort();
  return new SortedRankedScores(positives, negatives);
}

const HALF_VALUES = 65536;

/** Maps a half's bit pattern to its rank among all halves (order key), -0 folded onto +0. */
function halfOrderKey(bits: number): number {
  if (bits === 0x8000) return 0x8000;
  return bits & 0x8000 ? 0x7fff - (bits & 0x7fff) : 0x8000 | bits;
}

function halfFromOrderKey(key: number): number {
  const bits = key & 0x8000 ? key & 0x7fff : 0x8000 | (0x7fff - key);
  return float16BitsToFloat32(bits);
}

/**
 * Streaming ranking for pixel metrics over many images: `add` each image's map
 * and labels, then pass the accumulator to any metric. Scores are rounded to
 * float16 (see the module comment); finite scores only, |score| < 65520.
 */
export class StreamingScoreCounts implements RankedScores {
  private readonly positiveCounts = new Float64Array(HALF_VALUES);
  private readonly negativeCounts = new Float64Array(HALF_VALUES);
  private positives = 0;
  private negatives = 0;

  get totalPositives(): number {
    return this.positives;
  }

  get totalNegatives(): number {
    return this.negatives;
  }

  /** Adds aligned flat arrays: scores, labels (> 0 positive), optional include mask (non-zero counts). */
  add(scores: ArrayLike<number>, labels: ArrayLike<number>, include?: ArrayLike<number>): void {
    checkLengths(scores, labels, include);
    for (let k = 0; k < scores.length; k++) {
      if (include !== undefined && include[k] === 0) continue;
      const score = scores[k]!;
      if (Number.isNaN(score)) throw notANumberError(k);
      const bits = float32ToFloat16Bits(score);
      if ((bits & 0x7c00) === 0x7c00) {
        throw new NormscopeError(
          'InvalidRequest',
          `score ${score} at index ${k} is outside the float16 range of the streaming metrics (|score| < 65520)`,
        );
      }
      const key = halfOrderKey(bits);
      if (isPositive(labels[k]!)) {
        this.positiveCounts[key]! += 1;
        this.positives++;
      } else {
        this.negativeCounts[key]! += 1;
        this.negatives++;
      }
    }
  }

  forEachThresholdDescending(
    visit: (threshold: number, positives: number, negatives: number) => void,
  ): void {
    for (let key = HALF_VALUES - 1; key >= 0; key--) {
      const dp = this.positiveCounts[key]!;
      const dn = this.negativeCounts[key]!;
      if (dp !== 0 || dn !== 0) visit(halfFromOrderKey(key), dp, dn);
    }
  }
}

function requireBothClasses(ranked: RankedScores, metric: string): void {
  if (ranked.totalPositives === 0 || ranked.totalNegatives === 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `${metric} is undefined without both classes: ${ranked.totalPositives} positives, ${ranked.totalNegatives} negatives`,
    );
  }
}

/** Area under the ROC curve in [0, 1]; a tied positive/negative pair counts one half. */
export function aurocFromRanked(ranked: RankedScores): number {
  requireBothClasses(ranked, 'AUROC');
  let truePositives = 0;
  let area = 0; // in units of (positive, negative) pairs
  ranked.forEachThresholdDescending((_threshold, dp, dn) => {
    area += dn * (truePositives + dp / 2);
    truePositives += dp;
  });
  return area / (ranked.totalPositives * ranked.totalNegatives);
}

/** Average precision, sklearn's definition: sum over thresholds of (R_n - R_{n-1}) * P_n. */
export function averagePrecisionFromRanked(ranked: RankedScores): number {
  if (ranked.totalPositives === 0) {
    throw new NormscopeError('InvalidRequest', 'average precision is undefined without positives');
  }
  let truePositives = 0;
  let falsePositives = 0;
  let sum = 0;
  ranked.forEachThresholdDescending((_threshold, dp, dn) => {
    truePositives += dp;
    falsePositives += dn;
    if (dp > 0)
      sum += (dp / ranked.totalPositives) * (truePositives / (truePositives + falsePositives));
  });
  return sum;
}

export interface RocCurve {
  /** False-positive rate per point, ascending from 0 to 1. */
  falsePositiveRate: Float64Array;
  /** True-positive rate per point. */
  truePositiveRate: Float64Array;
  /** Score threshold per point (positive if score >= threshold); the first is +Infinity (nothing positive). */
  thresholds: Float64Array;
}

/** ROC curve points, one per distinct score plus the origin, as sklearn's roc_curve(drop_intermediate=False). */
export function rocCurveFromRanked(ranked: RankedScores): RocCurve {
  requireBothClasses(ranked, 'the ROC curve');
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let truePositives = 0;
  let falsePositives = 0;
  ranked.forEachThresholdDescending((threshold, dp, dn) => {
    truePositives += dp;
    falsePositives += dn;
    fpr.push(falsePositives / ranked.totalNegatives);
    tpr.push(truePositives / ranked.totalPositives);
    thresholds.push(threshold);
  });
  return {
    falsePositiveRate: Float64Array.from(fpr),
    truePositiveRate: Float64Array.from(tpr),
    thresholds: Float64Array.from(thresholds),
  };
}

/** Exact AUROC of flat aligned `scores` and `labels` (> 0 positive), optionally only where `include` != 0. */
export function auroc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  include?: ArrayLike<number>,
): number {
  return aurocFromRanked(rankScores(scores, labels, include));
}

/** Exact average precision (AUPR) of flat aligned `scores` and `labels`, optionally only where `include` != 0. */
export function averagePrecision(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  include?: ArrayLike<number>,
): number {
  return averagePrecisionFromRanked(rankScores(scores, labels, include));
}

export interface ConfusionMatrix {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** Counts at a threshold: a case is called positive when its score >= `threshold` (sklearn's convention). */
export function confusionAtThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
  include?: ArrayLike<number>,
): ConfusionMatrix {
  checkLengths(scores, labels, include);
  const matrix: ConfusionMatrix = {
    truePositives: 0,
    falsePositives: 0,
    trueNegatives: 0,
    falseNegatives: 0,
  };
  for (let k = 0; k < scores.length; k++) {
    if (include !== undefined && include[k] === 0) continue;
    if (Number.isNaN(scores[k])) throw notANumberError(k);
    const calledPositive = scores[k]! >= threshold;
    if (isPositive(labels[k]!)) {
      if (calledPositive) matrix.truePositives++;
      else matrix.falseNegatives++;
    } else if (calledPositive) matrix.falsePositives++;
    else matrix.trueNegatives++;
  }
  return matrix;
}

/** True-positive rate TP / (TP + FN); throws without positives. */
export function sensitivity(matrix: ConfusionMatrix): number {
  const positives = matrix.truePositives + matrix.falseNegatives;
  if (positives === 0)
    throw new NormscopeError('InvalidRequest', 'sensitivity is undefined without positives');
  return matrix.truePositives / positives;
}

/** True-negative rate TN / (TN + FP); throws without negatives. */
export function specificity(matrix: ConfusionMatrix): number {
  const negatives = matrix.trueNegatives + matrix.falsePositives;
  if (negatives === 0)
    throw new NormscopeError('InvalidRequest', 'specificity is undefined without negatives');
  return matrix.trueNegatives / negatives;
}

function nextUp(value: number): number {
  if (value === 0) return Number.MIN_VALUE;
  const buffer = new Float64Array([value]);
  const bits = new BigInt64Array(buffer.buffer);
  bits[0] = bits[0]! + (value > 0 ? 1n : -1n);
  return buffer[0]!;
}

/**
 * Calibration threshold from scores of known-normal cases: the smallest
 * observed negative score t such that the fraction of negatives with
 * score >= t is at most `targetFpr` (in [0, 1]); when every observed value
 * would exceed the target (ties at the top), the next double above the maximum.
 * Scores must be finite.
 */
export function thresholdAtFalsePositiveRate(
  negativeScores: ArrayLike<number>,
  targetFpr: number,
): number {
  if (!(targetFpr >= 0 && targetFpr <= 1)) {
    throw new NormscopeError(
      'InvalidRequest',
      `target false-positive rate must be in [0, 1], got ${targetFpr}`,
    );
  }
  const n = negativeScores.length;
  if (n === 0)
    throw new NormscopeError('InvalidRequest', 'a threshold needs at least one negative score');
  const sorted = Float64Array.from(negativeScores);
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(sorted[k])) {
      throw new NormscopeError(
        'InvalidRequest',
        `negative score at index ${k} is ${sorted[k]}; finite scores only`,
      );
    }
  }
  sorted.sort();
  const allowedFalsePositives = Math.floor(targetFpr * n + 1e-9);
  let index = Math.max(0, n - allowedFalsePositives);
  // a threshold inside a tie group would call the whole group positive: move above it
  while (index > 0 && index < n && sorted[index] === sorted[index - 1]) index++;
  return index >= n ? nextUp(sorted[n - 1]!) : sorted[index]!;
}
