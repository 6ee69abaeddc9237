/**
 * The AnomalyDINO-style baseline for the benchmark: keep every training patch
 * feature, score a test patch by its distance to the nearest one.
 *
 * Distance: cosine distance, 1 - max_j cos(test, bank_j), in [0, 2], as
 * AnomalyDINO does with DINO features (their direction carries the semantics,
 * their norm varies with position and image). Rows are L2-normalised once when
 * the bank is built, so scoring is a matrix product with a running max.
 * Zero vectors stay zero (cosine 0 with everything, distance 1).
 *
 * The product runs in blocks: a block of bank rows small enough to stay in
 * cache is reused by every query, and a 4-query x 2-row micro-kernel keeps
 * eight dot products in registers, so each loaded value is used 2-4 times.
 * Exact (no approximate search); its cost grows linearly with the bank, which
 * is what the benchmark compares against the AR model.
 */
import { NormscopeError } from '../api/errors';
import type { GridShape } from './scoring';

export interface MemoryBank {
  /** [count, channels] float32, each row L2-normalised. */
  vectors: Float32Array;
  /** Number of patch features (training images x patches per image). */
  count: number;
  channels: number;
  /** Memory held by the bank's vectors in bytes (count x channels x 4). */
  bytes: number;
}

/** Writes feature grid [channels, height, width] as L2-normalised rows [height*width, channels] at `rowOffset`. */
function gridToUnitRows(
  grid: Float32Array,
  shape: GridShape,
  out: Float32Array,
  rowOffset: number,
): void {
  const { channels } = shape;
  const plane = shape.height * shape.width;
  for (let p = 0; p < plane; p++) {
    const rowBase = (rowOffset + p) * channels;
    let norm2 = 0;
    for (let c = 0; c < channels; c++) {
      const v = grid[c * plane + p]!;
      out[rowBase + c] = v;
      norm2 += v * v;
    }
    if (norm2 > 0) {
      const inv = 1 / Math.sqrt(norm2);
      for (let c = 0; c < channels; c++) out[rowBase + c]! *= inv;
    }
  }
}

function checkGrid(grid: Float32Array, shape: GridShape, what: string): void {
  const expected = shape.channels * shape.height * shape.width;
  if (grid.length !== expected) {
    throw new NormscopeError(
      'InvalidRequest',
      `${what} has ${grid.length} values, expected ${shape.channels}x${shape.height}x${shape.width} = ${expected}`,
    );
  }
}

/** Bank of all patch features of the training images, each [channels, height, width] float32. */
export function buildMemoryBank(features: Float32Array[], shape: GridShape): MemoryBank {
  if (features.length === 0)
    throw new NormscopeError('InvalidRequest', 'a memory bank needs at least one training image');
  const plane = shape.height * shape.width;
  const count = features.length * plane;
  const vectors = new Float32Array(count * shape.channels);
  features.forEach((grid, i) => {
    checkGrid(grid, shape, `training features ${i}`);
    gridToUnitRows(grid, shape, vectors, i * plane);
  });
  return { vectors, count, channels: shape.channels, bytes: vectors.byteLength };
}

/** Bank rows per block: 64 rows x 384 channels x 4 bytes = 96 KiB, within a typical L2 cache. */
const BLOCK_ROWS = 64;

/**
 * Anomaly map [height, width] float32 of a test image's features
 * [channels, height, width]: cosine distance of each patch to its nearest
 * neighbour in the bank.
 */
export function scoreWithMemoryBank(
  bank: MemoryBank,
  test: Float32Array,
  shape: GridShape,
): Float32Array {
  if (shape.channels !== bank.channels) {
    throw new NormscopeError(
      'InvalidRequest',
      `test features have ${shape.channels} channels, the bank ${bank.channels}`,
    );
  }
  checkGrid(test, shape, 'test features');
  const C = shape.channels;
  const queries = shape.height * shape.width;
  const paddedQueries = Math.ceil(queries / 4) * 4; // zero rows pad the last group of four
  const q = new Float32Array(paddedQueries * C);
  gridToUnitRows(test, shape, q, 0);
  const best = new Float64Array(paddedQueries).fill(-Infinity);
  const b = bank.vectors;

  for (let blockStart = 0; blockStart < bank.count; blockStart += BLOCK_ROWS) {
    const blockEnd = Math.min(blockStart + BLOCK_ROWS, bank.count);
    const pairedEnd = blockStart + ((blockEnd - blockStart) & ~1);
    for (let qi = 0; qi < paddedQueries; qi += 4) {
      const q0 = qi * C;
      const q1 = q0 + C;
      const q2 = q1 + C;
      const q3 = q2 + C;
      let m0 = best[qi]!;
      let m1 = best[qi + 1]!;
      let m2 = best[qi + 2]!;
      let m3 = best[qi + 3]!;
      for (let r = blockStart; r < pairedEnd; r += 2) {
        const r0 = r * C;
        const r1 = r0 + C;
        // prettier-ignore
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
        for (let c = 0; c < C; c++) {
          const b0 = b[r0 + c]!;
          const b1 = b[r1 + c]!;
          const a0 = q[q0 + c]!;
          const a1 = q[q1 + c]!;
          const a2 = q[q2 + c]!;
          const a3 = q[q3 + c]!;
          s00 += a0 * b0;
          s01 += a0 * b1;
          s10 += a1 * b0;
          s11 += a1 * b1;
          s20 += a2 * b0;
          s21 += a2 * b1;
          s30 += a3 * b0;
          s31 += a3 * b1;
        }
        m0 = Math.max(m0, s00, s01);
        m1 = Math.max(m1, s10, s11);
        m2 = Math.max(m2, s20, s21);
        m3 = Math.max(m3, s30, s31);
      }
      if (pairedEnd < blockEnd) {
        const r0 = pairedEnd * C;
        // prettier-ignore
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let c = 0; c < C; c++) {
          const b0 = b[r0 + c]!;
          s0 += q[q0 + c]! * b0;
          s1 += q[q1 + c]! * b0;
          s2 += q[q2 + c]! * b0;
          s3 += q[q3 + c]! * b0;
        }
        m0 = Math.max(m0, s0);
        m1 = Math.max(m1, s1);
        m2 = Math.max(m2, s2);
        m3 = Math.max(m3, s3);
      }
      best[qi] = m0;
      best[qi + 1] = m1;
      best[qi + 2] = m2;
      best[qi + 3] = m3;
    }
  }

  const map = new Float32Array(queries);
  for (let p = 0; p < queries; p++) map[p] = 1 - best[p]!;
  return map;
}
