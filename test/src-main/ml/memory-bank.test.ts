import { describe, expect, it } from 'vitest';
import { buildMemoryBank, scoreWithMemoryBank } from '../../../src-main/ml/memory-bank';
import { createRng } from '../../../src-main/ml/random';

/** [C, H, W] grid from per-position vectors listed in raster order. */
function grid(vectors: number[][], channels: number): Float32Array {
  const out = new Float32Array(channels * vectors.length);
  vectors.forEach((v, p) => v.forEach((value, c) => (out[c * vectors.length + p] = value)));
  return out;
}

describe('memory bank (nearest-neighbour cosine distance)', () => {
  it('scores a hand case: each test patch against its nearest training patch', () => {
    const shape = { channels: 2, height: 1, width: 2 };
    const bank = buildMemoryBank(
      [
        grid(
          [
            [1, 0],
            [0, 3],
          ],
          2,
        ),
        grid(
          [
            [1, 1],
            [-1, 0],
          ],
          2,
        ),
      ],
      shape,
    );
    expect(bank.count).toBe(4);
    expect(bank.bytes).toBe(4 * 2 * 4);
    // [2, 0] is parallel to [1, 0]: distance 0; [1, -1] is at 45 deg from [1, 0] and 90 from [1, 1]: 1 - cos 45
    const map = scoreWithMemoryBank(
      bank,
      grid(
        [
          [2, 0],
          [1, -1],
        ],
        2,
      ),
      shape,
    );
    expect(map[0]).toBeCloseTo(0, 6);
    expect(map[1]).toBeCloseTo(1 - Math.SQRT1_2, 6);
  });

  it('equals a brute-force search on random features, including odd bank sizes and query remainders', () => {
    const rng = createRng(21);
    const shape = { channels: 7, height: 3, width: 5 }; // 15 queries: not a multiple of 4
    const features = Array.from({ length: 9 }, () =>
      Float32Array.from({ length: 7 * 15 }, () => rng.normal()),
    );
    const bank = buildMemoryBank(features, shape); // 135 rows: odd, spans three blocks
    const test = Float32Array.from({ length: 7 * 15 }, () => rng.normal());
    const map = scoreWithMemoryBank(bank, test, shape);
    const column = (g: Float32Array, p: number): number[] =>
      Array.from({ length: 7 }, (_, c) => g[c * 15 + p]!);
    const cosine = (a: number[], b: number[]): number => {
      const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
      return dot / Math.hypot(...a) / Math.hypot(...b);
    };
    for (let p = 0; p < 15; p++) {
      let best = -Infinity;
      for (const f of features)
        for (let r = 0; r < 15; r++) best = Math.max(best, cosine(column(test, p), column(f, r)));
      expect(map[p]).toBeCloseTo(1 - best, 5);
    }
  });

  it('rejects a test grid with a different channel count', () => {
    const bank = buildMemoryBank([new Float32Array(4)], { channels: 4, height: 1, width: 1 });
    expect(() =>
      scoreWithMemoryBank(bank, new Float32Array(3), { channels: 3, height: 1, width: 1 }),
    ).toThrow(/3 channels, the bank 4/);
  });
});
