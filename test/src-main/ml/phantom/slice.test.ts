import { describe, expect, it } from 'vitest';
import { PHANTOM_MAX_VALUE, generatePhantomSlice } from '../../../../src-main/ml/phantom/slice';
import { generatePhantomStudy } from '../../../../src-main/ml/phantom/study';

const size = 96;

describe('generatePhantomSlice', () => {
  it('is a pure function of its options: same seed, same pixels; another seed, another subject', () => {
    const options = { seed: 12, sliceIndex: 3, slices: 7, size, lesions: true };
    const a = generatePhantomSlice(options);
    const b = generatePhantomSlice(options);
    expect(Buffer.from(a.pixels.buffer).equals(Buffer.from(b.pixels.buffer))).toBe(true);
    expect(Array.from(a.mask)).toEqual(Array.from(b.mask));
    const other = generatePhantomSlice({ ...options, seed: 13 });
    expect(Buffer.from(a.pixels.buffer).equals(Buffer.from(other.pixels.buffer))).toBe(false);
  });

  it('stays in the 12-bit range, with a dark background and brighter white than grey matter', () => {
    const slice = generatePhantomSlice({ seed: 4, sliceIndex: 0, slices: 1, size, lesions: false });
    expect(Math.max(...slice.pixels)).toBeLessThanOrEqual(PHANTOM_MAX_VALUE);
    let background = 0;
    let backgroundCount = 0;
    let brain = 0;
    let brainCount = 0;
    slice.pixels.forEach((v, i) => {
      if (!slice.head[i]) {
        background += v;
        backgroundCount++;
      } else if (slice.brain[i]) {
        brain += v;
        brainCount++;
      }
    });
    expect(background / backgroundCount).toBeLessThan(100);
    expect(brain / brainCount).toBeGreaterThan(1400);
  });

  it('puts lesions only inside the brain, always on a single middle slice, and changes pixels only there', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const withLesions = generatePhantomSlice({
        seed,
        sliceIndex: 0,
        slices: 1,
        size,
        lesions: true,
      });
      const without = generatePhantomSlice({
        seed,
        sliceIndex: 0,
        slices: 1,
        size,
        lesions: false,
      });
      expect(without.mask.every((m) => m === 0)).toBe(true);
      expect(withLesions.mask.some((m) => m === 1)).toBe(true);
      withLesions.mask.forEach((m, i) => {
        if (m === 1 && withLesions.brain[i] !== 1)
          throw new Error(`lesion pixel ${i} outside the brain (seed ${seed})`);
      });
      // same anatomy and noise: differences only at or next to lesion pixels (the soft rim)
      let insideChange = 0;
      let inside = 0;
      withLesions.pixels.forEach((v, i) => {
        const w = without.pixels[i]!;
        if (withLesions.mask[i]) {
          inside++;
          insideChange += Math.abs(v - w) / Math.max(w, 1);
        } else if (v !== w) {
          const x = i % size;
          const y = Math.floor(i / size);
          let near = false;
          for (let dy = -2; dy <= 2 && !near; dy++) {
            for (let dx = -2; dx <= 2 && !near; dx++)
              near = withLesions.mask[(y + dy) * size + x + dx] === 1;
          }
          if (!near) throw new Error(`pixel ${x},${y} changed away from any lesion (seed ${seed})`);
        }
      });
      // visible: lesion pixels change by more than 8% on average
      expect(insideChange / inside).toBeGreaterThan(0.08);
    }
  });

  it('rejects a slice index outside the series', () => {
    expect(() =>
      generatePhantomSlice({ seed: 1, sliceIndex: 5, slices: 5, size, lesions: false }),
    ).toThrow(/out of range/);
  });
});

describe('generatePhantomStudy', () => {
  it('changes smoothly from slice to slice, like a volume', () => {
    const study = generatePhantomStudy({ seed: 8, slices: 9, size: 64, lesions: false });
    expect(study.slices).toHaveLength(9);
    expect(study.pixelSpacingMm).toBeCloseTo(240 / 64, 9);
    const meanAbsDiff = (a: Uint16Array, b: Uint16Array): number =>
      a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
    const neighbours = meanAbsDiff(study.slices[4]!.pixels, study.slices[5]!.pixels);
    const distant = meanAbsDiff(study.slices[0]!.pixels, study.slices[8]!.pixels);
    expect(neighbours).toBeLessThan(distant * 0.7);
  });
});
