import { describe, expect, it } from 'vitest';
import {
  resizeAntialiasedBilinear,
  resizePil8Bilinear,
} from '../../../src-main/ml/resize';
import { createRng } from '../../../src-main/ml/random';
import { upsampleMap } from '../../../src-common/imaging/upsample';

function expectClose(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('resizeAntialiasedBilinear (PIL / torch antialias=True)', () => {
  it('matches hand-computed triangle-filter weights for a 4 -> 2 downscale', () => {
    // scale 2, support 2: output 0 weights 0.75, 0.75, 0.25 on inputs 0..2 (normalised by 1.75), output 1 mirrored
    const out = resizeAntialiasedBilinear(new Float32Array([0, 1, 2, 3]), 1, 1, 4, 1, 2);
    expectClose(out, [(0 * 3 + 1 * 3 + 2) / 7, (1 + 2 * 3 + 3 * 3) / 7]);
  });

  it("matches Pillow's float ('F' mode) Image.resize(BILINEAR) down and up", () => {
    // image[y][x] = ((7x + 13y) mod 17) / 16, 9 rows x 10 columns; expected values printed by Pillow 9.4
    const image = Float32Array.from(
      { length: 90 },
      (_, i) => ((7 * (i % 10) + 13 * Math.floor(i / 10)) % 17) / 16,
    );
    const down = resizeAntialiasedBilinear(image, 1, 9, 10, 4, 3);
    expectClose(
      down,
      [
        0.4773002, 0.45579, 0.4789346, 0.5316505, 0.522658, 0.4724576, 0.4631563, 0.5078298,
        0.5168458, 0.4963983, 0.4491071, 0.466132,
      ],
    );
    const up = resizeAntialiasedBilinear(image, 1, 9, 10, 13, 17);
    expectClose(
      up.subarray(0, 10),
      [
        0.0, 0.1672794, 0.4246323, 0.6819853, 0.7830882, 0.4154412, 0.3915441, 0.6488971, 0.375,
        0.1011029,
      ],
    );
  });

  it('averages 2x2 blocks of a separable checkerboard into its mean when shrinking by 2 in both directions', () => {
    // a pattern that alternates every pixel averages out: triangle weights are symmetric around the block centre
    const size = 16;
    const image = new Float32Array(size * size);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) image[y * size + x] = (x + y) % 2 === 0 ? 1 : 0;
    const out = resizeAntialiasedBilinear(image, 1, size, size, 8, 8);
    // interior outputs weigh 4 inputs per axis by (1,3,3,1)/8: on alternating values that is exactly 1/2
    for (let y = 1; y < 7; y++)
      for (let x = 1; x < 7; x++) expect(out[y * 8 + x]).toBeCloseTo(0.5, 6);
  });

  it('keeps a constant image constant in every channel, up or down', () => {
    const image = new Float32Array(2 * 37 * 53);
    image.fill(0.3, 0, 37 * 53);
    image.fill(-2, 37 * 53);
    for (const [h, w] of [
      [448, 448],
      [10, 7],
    ] as const) {
      const out = resizeAntialiasedBilinear(image, 2, 37, 53, h, w);
      let worst = 0;
      for (let i = 0; i < h * w; i++) {
        worst = Math.max(worst, Math.abs(out[i]! - 0.3), Math.abs(out[h * w + i]! + 2));
      }
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('roughly preserves the mean of a random image when shrinking 512 -> 448', () => {
    const rng = createRng(9);
    const image = Float32Array.from({ length: 512 * 512 }, () => rng.next());
    const out = resizeAntialiasedBilinear(image, 1, 512, 512, 448, 448);
    const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(out) - mean(image))).toBeLessThan(1e-3);
  });

  it('equals plain bilinear upsampling when enlarging', () => {
    const rng = createRng(4);
    const map = Float32Array.from({ length: 6 * 5 }, () => rng.next());
    const aa = resizeAntialiasedBilinear(map, 1, 6, 5, 17, 23);
    const plain = upsampleMap(map, 6, 5, 17, 23);
    for (let i = 0; i < aa.length; i++) expect(aa[i]).toBeCloseTo(plain[i]!, 6);
  });
});

describe('resizePil8Bilinear (Pillow mode L, bit-exact)', () => {
  // image[y][x] = (37x + 91y) mod 256, 9 rows x 10 columns; expected bytes printed by Pillow 9.4
  const image = Uint8Array.from(
    { length: 90 },
    (_, i) => (37 * (i % 10) + 91 * Math.floor(i / 10)) % 256,
  );

  it('equals Pillow when shrinking in both directions', () => {
    expect(Array.from(resizePil8Bilinear(image, 9, 10, 4, 3))).toEqual([
      107, 129, 105, 109, 123, 118, 128, 112, 128, 147, 117, 114,
    ]);
  });

  it('equals Pillow when enlarging one side and shrinking the other', () => {
    const out = resizePil8Bilinear(image, 9, 10, 5, 17);
    expect(Array.from(out.subarray(0, 17))).toEqual([
      52, 66, 88, 100, 113, 135, 157, 179, 146, 112, 134, 122, 68, 71, 92, 104, 111,
    ]);
    expect(Array.from(out.subarray(68))).toEqual([
      164, 178, 200, 151, 115, 137, 123, 81, 93, 113, 124, 140, 162, 127, 77, 99, 113,
    ]);
  });

  it('returns a copy, never the input, at the same size', () => {
    const same = resizePil8Bilinear(image, 9, 10, 9, 10);
    expect(Array.from(same)).toEqual(Array.from(image));
    expect(same).not.toBe(image);
  });
});
