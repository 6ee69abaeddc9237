/**
 * IEEE 754 binary16 (half precision) conversion, for storing anomaly maps and
 * features at half the size of float32. Values are rounded to nearest, ties to
 * even (as numpy's `astype(float16)` and hardware conversions do); magnitudes at
 * or above 65520 become Infinity, below 2^-25 become (signed) zero, NaN stays
 * NaN. Arrays are native-endian, which is little-endian on every platform we ship.
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/**
 * Half-precision bit pattern (0..65535) of a value first taken as float32
 * (so a double input is rounded to float32, then to float16).
 * Bit manipulation follows numpy's npy_floatbits_to_halfbits.
 */
export function float32ToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const f = scratchBits[0]!;
  const sign = (f >>> 16) & 0x8000;
  const exponent = f & 0x7f800000;
  const mantissa = f & 0x007fffff;

  if (exponent >= 0x47800000) {
    if (exponent === 0x7f800000 && mantissa !== 0) {
      // NaN: keep the top payload bits, and never let them round to zero (which would read as Infinity)
      const payload = mantissa >>> 13;
      return sign | 0x7c00 | (payload === 0 ? 1 : payload);
    }
    return sign | 0x7c00; // Infinity, or overflow to Infinity
  }

  if (exponent <= 0x38000000) {
    // result is subnormal or zero in half precision
    if (exponent < 0x33000000) return sign;
    const e = exponent >>> 23; // 102..112
    let significand = 0x00800000 | mantissa;
    // collapse the bits shifted out below the rounding bit into one sticky bit
    if ((significand & ((1 << (126 - e)) - 1)) !== 0) significand |= 1;
    significand >>>= 113 - e;
    if ((significand & 0x3fff) !== 0x1000) significand += 0x1000;
    return sign | (significand >>> 13);
  }

  const halfExponent = (exponent - 0x38000000) >>> 13;
  let rounded = mantissa;
  if ((rounded & 0x3fff) !== 0x1000) rounded += 0x1000;
  // a carry out of the mantissa correctly bumps the exponent (up to Infinity)
  return (sign | (halfExponent + (rounded >>> 13))) & 0xffff;
}

/** The value (a float32-representable number) of a half-precision bit pattern. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The nearest float16 value of `value`, as a number. */
export function roundToFloat16(value: number): number {
  return float16BitsToFloat32(float32ToFloat16Bits(value));
}

/** float32 array -> half-precision bit patterns of the same length. */
export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!);
  return out;
}

let decodeTable: Float32Array | undefined;

/** Half-precision bit patterns -> float32 array of the same length. */
export function decodeFloat16(bits: Uint16Array): Float32Array {
  if (decodeTable === undefined) {
    // 256 KiB, built on first use: decoding a map is then one lookup per value
    decodeTable = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) decodeTable[b] = float16BitsToFloat32(b);
  }
  const table = decodeTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/**
 * `count` float16 bit patterns from stored little-endian bytes (a cached
 * feature grid, an anomaly map): one copy, no per-value reads, since every
 * platform we ship is little-endian.
 */
export function float16BitsFromBytes(bytes: Uint8Array, count: number): Uint16Array {
  if (bytes.byteLength < 2 * count)
    throw new RangeError(`float16: ${bytes.byteLength} bytes hold fewer than ${count} values`);
  const bits = new Uint16Array(count);
  new Uint8Array(bits.buffer).set(bytes.subarray(0, 2 * count));
  return bits;
}

/** float16 bit patterns as the little-endian bytes to store, a view of the same memory (float16BitsFromBytes reads them back). */
export function float16BitsToBytes(bits: Uint16Array): Buffer {
  return Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength);
}
