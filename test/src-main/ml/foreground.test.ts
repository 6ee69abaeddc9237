import { describe, expect, it } from 'vitest';
import {
  foregroundMask,
  maskCoverage,
  maskToPatchGrid,
  otsuThreshold,
} from '../../../src-main/ml/foreground';
import { generatePhantomSlice } from '../../../src-main/ml/phantom/slice';

describe('foregroundMask', () => {
  it('covers the whole head (scalp, skull, ventricles) and little of the background on phantom slices', () => {
    for (const [seed, sliceIndex] of [
      [1, 0],
      [2, 4],
      [3, 8],
    ] as const) {
      const slice = generatePhantomSlice({ seed, sliceIndex, slices: 9, size: 128, lesions: true });
      const mask = foregroundMask(slice.pixels, 128, 128);
      let head = 0;
      let headCovered = 0;
      let background = 0;
      let backgroundCovered = 0;
      for (let i = 0; i < mask.length; i++) {
        if (slice.head[i]) {
          head++;
          headCovered += mask[i]!;
        } else {
          background++;
          backgroundCovered += mask[i]!;
        }
      }
      expect(headCovered / head).toBeGreaterThan(0.995);
      // the partial-volume rim and the 1-px dilation only
      expect(backgroundCovered / background).toBeLessThan(0.1);
    }
  });

  it('drops a bright speck away from the body and gives an empty mask for a flat image', () => {
    const size = 40;
    const image = new Float32Array(size * size);
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) image[y * size + x] = 100;
    image[2 * size + 2] = 100; // a speck in the corner
    const mask = foregroundMask(image, size, size, { dilationRadius: 0 });
    expect(mask[2 * size + 2]).toBe(0);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(400);
    expect(foregroundMask(new Float32Array(16).fill(7), 4, 4).every((v) => v === 0)).toBe(true);
  });

  it("places Otsu's threshold between two well-separated classes", () => {
    const image = [...new Array<number>(50).fill(10), ...new Array<number>(50).fill(200)];
    const t = otsuThreshold(image);
    expect(t).toBeGreaterThan(10);
    expect(t).toBeLessThan(200);
  });
});

describe('maskToPatchGrid', () => {
  it('counts a cell as foreground from 50% coverage, with fractional pixels counted by area', () => {
    // 3x3 image onto a 2x2 grid: each cell is 1.5 x 1.5 pixels; only the centre pixel set
    const coverage = maskCoverage([0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3, 2, 2);
    for (const c of coverage) expect(c).toBeCloseTo(0.25 / 2.25, 6);
    // left column set: cells on the left are 1/1.5 covered, on the right 0
    const left = maskToPatchGrid([1, 0, 0, 1, 0, 0, 1, 0, 0], 3, 3, 2, 2);
    expect(Array.from(left)).toEqual([1, 0, 1, 0]);
    const half = new Uint8Array(56 * 56);
    for (let y = 0; y < 56; y++) for (let x = 0; x < 28; x++) half[y * 56 + x] = 1;
    const grid = maskToPatchGrid(half, 56, 56, 28, 28);
    expect(grid.reduce((a, b) => a + b, 0)).toBe(14 * 28);
    expect(grid[13]).toBe(1);
    expect(grid[14]).toBe(0);
  });
});
