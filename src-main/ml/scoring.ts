/**
 * From the AR model's prediction to anomaly scores (ARCHITECTURE.md, Scoring):
 * per-patch map = mean over channels of the squared prediction error; image
 * score = max of the map (or the mean of its k largest values) over the
 * positions that count; study score = max over its images. Non-finite values
 * are never turned into scores: they throw a `Refused` error naming where they
 * came from.
 */
import { NormscopeError } from '../api/errors';

/** Shape of a feature grid [channels, height, width] (e.g. 384 x 28 x 28). */
export interface GridShape {
  channels: number;
  height: number;
  width: number;
}

/** Throws `Refused` if any value is NaN or +-Infinity; `context` names the source (e.g. 'anomaly map of frame 12'). */
export function assertFiniteScores(values: ArrayLike<number>, context: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NormscopeError(
        'Refused',
        `${context}: value ${values[i]} at index ${i} is not finite; non-finite outputs are never stored as scores`,
      );
    }
  }
}

function checkGrid(data: ArrayLike<number>, shape: GridShape, what: string): void {
  const expected = shape.channels * shape.height * shape.width;
  if (data.length !== expected) {
    throw new NormscopeError(
      'InvalidRequest',
      `${what} has ${data.length} values, expected ${shape.channels}x${shape.height}x${shape.width} = ${expected}`,
    );
  }
}

/**
 * Anomaly map [height, width] float32 (squared feature units) from the
 * prediction and the target features, both [channels, height, width] float32:
 * mean over channels of (prediction - target)^2.
 */
export function anomalyMapFromPrediction(
  prediction: Float32Array,
  target: Float32Array,
  shape: GridShape,
): Float32Array {
  checkGrid(prediction, shape, 'prediction');
  checkGrid(target, shape, 'target features');
  const plane = shape.height * shape.width;
  const sums = new Float64Array(plane);
  for (let c = 0; c < shape.channels; c++) {
    const base = c * plane;
    for (let p = 0; p < plane; p++) {
      const d = prediction[base + p]! - target[base + p]!;
      sums[p]! += d * d;
    }
  }
  const map = new Float32Array(plane);
  for (let p = 0; p < plane; p++) map[p] = sums[p]! / shape.channels;
  assertFiniteScores(map, 'anomaly map');
  return map;
}

/** 'max' (the paper's image score) or the mean of the k largest values (k >= 1; all values when fewer). */
export type ScoreReduction = 'max' | { topKMean: number };

export interface ImageScoreOptions {
  reduction: ScoreReduction;
  /**
   * [height, width] of the map, 1 where a position counts. Excludes positions
   * without full context (causal mode's first rows and columns) and the
   * background outside the foreground: combine `contextMask` (ar/receptive-field)
   * and `maskToPatchGrid` (foreground) with `intersectMasks`.
   */
  validMask?: Uint8Array;
}

/** Image score from an anomaly map [height, width] float32 (any reduction in `options`). */
export function imageScore(map: Float32Array, options: ImageScoreOptions): number {
  const mask = options.validMask;
  if (mask !== undefined && mask.length !== map.length) {
    throw new NormscopeError(
      'InvalidRequest',
      `valid mask has ${mask.length} positions, the map ${map.length}`,
    );
  }
  const values: number[] = [];
  for (let i = 0; i < map.length; i++)
    if (mask === undefined || mask[i] !== 0) values.push(map[i]!);
  if (values.length === 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `no valid position to score among ${map.length} (the valid mask is empty)`,
    );
  }
  assertFiniteScores(values, 'anomaly map (valid positions)');
  const reduction = options.reduction;
  if (reduction === 'max') return values.reduce((a, b) => (b > a ? b : a), -Infinity);
  const k = reduction.topKMean;
  if (!Number.isInteger(k) || k < 1)
    throw new NormscopeError('InvalidRequest', `top-k mean needs an integer k >= 1, got ${k}`);
  values.sort((a, b) => b - a);
  const taken = Math.min(k, values.length);
  let sum = 0;
  for (let i = 0; i < taken; i++) sum += values[i]!;
  return sum / taken;
}

/** Study (or series) score: the max of its image scores; throws when there are none or one is not finite. */
export function studyScore(imageScores: ArrayLike<number>): number {
  if (imageScores.length === 0)
    throw new NormscopeError('InvalidRequest', 'a study score needs at least one image score');
  assertFiniteScores(imageScores, 'image scores');
  let best = -Infinity;
  for (let i = 0; i < imageScores.length; i++) if (imageScores[i]! > best) best = imageScores[i]!;
  return best;
}

/** Positions valid in both masks (same length). */
export function intersectMasks(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length)
    throw new NormscopeError('InvalidRequest', `masks differ in size: ${a.length} vs ${b.length}`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 && b[i] !== 0 ? 1 : 0;
  return out;
}
