/**
 * Bilinear resampling of a patch-grid anomaly map to the frame, exactly as
 * `torch.nn.functional.interpolate(mode='bilinear', align_corners=False)`:
 * the same maths as src-main/ml/resize.ts `upsampleBilinear` (a test holds the
 * two equal), here without Node so the viewer and the reports share it.
 */

interface Taps {
  low: Int32Array;
  high: Int32Array;
  highWeight: Float64Array;
}

/** PyTorch's area_pixel_compute_source_index with align_corners=False, clamped at both ends. */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const highWeight = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const source = Math.max(scale * (i + 0.5) - 0.5, 0);
    const l = Math.min(Math.floor(source), inSize - 1);
    low[i] = l;
    high[i] = l < inSize - 1 ? l + 1 : l;
    highWeight[i] = source - l;
  }
  return { low, high, highWeight };
}

/** `map` [height, width] -> [outHeight, outWidth] float32, row-major. */
export function upsampleMap(
  map: ArrayLike<number>,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  if (map.length !== height * width || height < 1 || width < 1 || outHeight < 1 || outWidth < 1) {
    throw new RangeError(`upsampleMap: ${map.length} values for a ${height}x${width} map to ${outHeight}x${outWidth}`);
  }
  const rows = taps(height, outHeight);
  const cols = taps(width, outWidth);
  // separable: each source row interpolated along x once (kept in float64, so
  // the result is bit-identical to the direct 4-tap formula), then rows blended along y
  const horizontal = new Float64Array(height * outWidth);
  for (let r = 0; r < height; r++) {
    const base = r * width;
    const into = r * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const wx1 = cols.highWeight[x]!;
      horizontal[into + x] = (1 - wx1) * map[base + cols.low[x]!]! + wx1 * map[base + cols.high[x]!]!;
    }
  }
  const out = new Float32Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const r0 = rows.low[y]! * outWidth;
    const r1 = rows.high[y]! * outWidth;
    const wy1 = rows.highWeight[y]!;
    const wy0 = 1 - wy1;
    const at = y * outWidth;
    for (let x = 0; x < outWidth; x++) out[at + x] = wy0 * horizontal[r0 + x]! + wy1 * horizontal[r1 + x]!;
  }
  return out;
}

/** IEEE half-precision bit patterns (as stored for anomaly maps) -> float32 values. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    out[i] =
      exponent === 0 ? sign * mantissa * 2 ** -24
      : exponent === 0x1f ? (mantissa === 0 ? sign * Infinity : NaN)
      : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}
