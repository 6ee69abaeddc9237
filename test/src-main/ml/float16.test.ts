import { describe, expect, it } from 'vitest';
import {
  decodeFloat16,
  encodeFloat16,
  float16BitsFromBytes,
  float16BitsToBytes,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  roundToFloat16,
} from '../../../src-main/ml/float16';

describe('float16 conversion', () => {
  it('encodes ordinary values, signed zeros and the largest finite half exactly', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.5)).toBe(0x3800);
    expect(float32ToFloat16Bits(0)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x3555)).toBeCloseTo(0.333251953125, 12);
  });

  it('rounds to nearest, ties to even', () => {
    // spacing of halves in [1,2) is 2^-10; 1 + 2^-11 is a tie between 1 (even) and 1 + 2^-10
    expect(roundToFloat16(1 + 2 ** -11)).toBe(1);
    // 1 + 3*2^-11 is a tie between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
    expect(roundToFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundToFloat16(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10);
    expect(roundToFloat16(0.1)).toBeCloseTo(0.0999755859375, 12);
  });

  it('overflows to Infinity from 65520 on, keeps Infinity and NaN', () => {
    expect(roundToFloat16(65519)).toBe(65504);
    expect(roundToFloat16(65520)).toBe(Infinity);
    expect(roundToFloat16(-1e6)).toBe(-Infinity);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(roundToFloat16(NaN))).toBe(true);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  it('handles subnormals: smallest, largest, rounding into the normal range and underflow', () => {
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float32ToFloat16Bits(1023 * 2 ** -24)).toBe(0x03ff);
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float32ToFloat16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // tie rounds up to even -> normal
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 -> even (0)
    expect(float32ToFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(float32ToFloat16Bits(-(2 ** -30))).toBe(0x8000);
    expect(roundToFloat16(3 * 2 ** -25)).toBe(2 * 2 ** -24); // 1.5 ulp is a tie -> even (2)
  });

  it('round-trips every finite half exactly through arrays', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const values = decodeFloat16(bits);
    const back = encodeFloat16(values);
    for (let i = 0; i < 65536; i++) {
      const exponent = (i >>> 10) & 0x1f;
      if (exponent === 0x1f && (i & 0x3ff) !== 0) continue; // NaN payloads need not survive
      if (back[i] !== i)
        throw new Error(`half 0x${i.toString(16)} came back as 0x${back[i]!.toString(16)}`);
    }
  });

  it('stores bit patterns as little-endian bytes and reads them back from any Buffer, pooled ones included', () => {
    const bits = Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7bff); // 1, -2, smallest subnormal, 65504
    const bytes = float16BitsToBytes(bits);
    expect(Array.from(bytes)).toEqual([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xff, 0x7b]);
    // a small Buffer sits at an arbitrary, possibly odd, offset of a shared pool, as the store returns files
    const pool = Buffer.alloc(64, 0xee);
    const inPool = pool.subarray(13, 13 + bytes.length);
    inPool.set(bytes);
    expect(Array.from(float16BitsFromBytes(inPool, 4))).toEqual(Array.from(bits));
    expect(Array.from(decodeFloat16(float16BitsFromBytes(inPool, 2)))).toEqual([1, -2]);
    expect(() => float16BitsFromBytes(inPool, 5)).toThrow(/fewer than 5 values/);
  });
});
