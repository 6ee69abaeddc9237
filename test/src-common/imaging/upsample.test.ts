import { describe, expect, it } from 'vitest';
import { float16ToFloat32, upsampleMap } from '../../../src-common/imaging/upsample';
import { encodeFloat16, decodeFloat16 } from '../../../src-main/ml/float16';
import { createRng } from '../../../src-main/ml/random';

function expectClose(actual: Float32Array, expected: number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('upsampleMap', () => {
  it('keeps a constant map constant and refuses a wrong size', () => {
    const out = upsampleMap(new Float32Array(4).fill(2.5), 2, 2, 9, 7);
    expect(out.every((v) => v === 2.5)).toBe(true);
    expect(() => upsampleMap(new Float32Array(3), 2, 2, 4, 4)).toThrow(/3 values for a 2x2 map/);
  });

  it('decodes float16 bit patterns as the engine does', () => {
    const values = [0, -0.5, 1e-6, 65504, 3.14159, -2.75e-3];
    expect(float16ToFloat32(encodeFloat16(values))).toEqual(decodeFloat16(encodeFloat16(values)));
  });
});

describe('upsampleMap against hand-computed torch values (bilinear, align_corners=False)', () => {
  it('matches hand-computed values for a 2x2 map doubled', () => {
    // F.interpolate(arange(4).view(1,1,2,2), size=(4,4), mode='bilinear', align_corners=False)
    const out = upsampleMap(new Float32Array([0, 1, 2, 3]), 2, 2, 4, 4);
    expectClose(
      out,
      [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3],
    );
  });

  it('matches hand-computed values for a non-integer factor (2 -> 3 columns, 1 row)', () => {
    // sources: 2/3*(0.5)-0.5 < 0 -> 0; 2/3*1.5-0.5 = 0.5; 2/3*2.5-0.5 = 7/6 -> clamped to index 1
    const out = upsampleMap(new Float32Array([10, 40]), 1, 2, 1, 3);
    expectClose(out, [10, 25, 40], 5);
  });

  it('keeps a 28x28 constant map constant at 448x448 and is the identity at the same size', () => {
    const constant = upsampleMap(new Float32Array(784).fill(0.125), 28, 28, 448, 448);
    expect(constant.every((v) => v === 0.125)).toBe(true);
    const rng = createRng(3);
    const map = Float32Array.from({ length: 20 }, () => rng.next());
    expect(Array.from(upsampleMap(map, 4, 5, 4, 5))).toEqual(Array.from(map));
  });

  it('rejects a map whose length does not match its shape', () => {
    expect(() => upsampleMap(new Float32Array(5), 2, 2, 4, 4)).toThrow(
      /5 values for a 2x2 map/,
    );
  });
});
