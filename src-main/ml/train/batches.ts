/**
 * Seeded epoch order, batch assembly and input noise for AR training.
 *
 * Each epoch draws from its own generator, seeded from (run seed, epoch), so the
 * whole random state of a run at an epoch boundary is just that pair: a run
 * resumed from an epoch checkpoint draws exactly what an uninterrupted one does.
 */
import { setImmediate } from 'node:timers/promises';
import { NormscopeError } from '../../api/errors';
import { createRng } from '../random';
import type { Rng } from '../random';

/** Where training grids come from: an array in memory or, e.g., a feature cache decoding float16 on demand. */
export interface FeatureSource {
  readonly count: number;
  /** Grid `index` as [C, H, W] float32, row-major. */
  get(index: number): Float32Array | Promise<Float32Array>;
}

export function asFeatureSource(features: readonly Float32Array[] | FeatureSource): FeatureSource {
  if (!Array.isArray(features)) return features as FeatureSource;
  const grids = features as readonly Float32Array[];
  return { count: grids.length, get: (index) => grids[index]! };
}

/** The generator of epoch `epoch` (0-based) of a run seeded `seed`. */
export function epochRng(seed: number, epoch: number): Rng {
  return createRng((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0);
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function shuffledOrder(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/** Copies grids `indices` of `source` into one [B, C, H, W] array; each grid must have `gridSize` = C*H*W values. */
export async function assembleBatch(
  source: FeatureSource,
  indices: readonly number[],
  gridSize: number,
): Promise<Float32Array> {
  const batch = new Float32Array(indices.length * gridSize);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k]!;
    const grid = await source.get(index);
    if (grid.length !== gridSize) {
      throw new NormscopeError(
        'InvalidRequest',
        `feature grid ${index} has ${grid.length} values, expected ${gridSize} (C x H x W)`,
      );
    }
    batch.set(grid, k * gridSize);
  }
  return batch;
}

/**
 * A copy of `batch` [B, C, H, W] with Gaussian noise of sd `scale` x the
 * per-sample, per-channel spatial std added (torch's unbiased x.std(dim=(2, 3))).
 * Training runs in the main process, where noising a batch of 64 paper-size
 * grids takes most of a second, so this yields to the event loop after each
 * grid: requests keep being answered meanwhile. The noise is the same either way.
 */
export async function addChannelNoise(
  batch: Float32Array,
  channels: number,
  plane: number,
  scale: number,
  rng: Rng,
): Promise<Float32Array> {
  if (batch.length % (channels * plane) !== 0) {
    throw new RangeError(
      `noise: batch of ${batch.length} values is not a whole number of [${channels}, ${plane}] grids`,
    );
  }
  const noisy = batch.slice();
  const normals = new Float64Array(plane);
  for (let start = 0; start < batch.length; start += plane) {
    if (start > 0 && start % (channels * plane) === 0) await setImmediate();
    let sum = 0;
    for (let j = start; j < start + plane; j++) sum += batch[j]!;
    const mean = sum / plane;
    let squares = 0;
    for (let j = start; j < start + plane; j++) squares += (batch[j]! - mean) ** 2;
    const sd = plane > 1 ? Math.sqrt(squares / (plane - 1)) : 0;
    rng.fillNormal(normals);
    for (let k = 0; k < plane; k++) noisy[start + k] = batch[start + k]! + scale * sd * normals[k]!;
  }
  return noisy;
}
