/**
 * Resampling kernels.
 *
 * - `resizeAntialiasedBilinear`: images to the backbone's input size, as
 *   PIL's `Image.resize(BILINEAR)` and PyTorch's
 *   `interpolate(mode='bilinear', antialias=True, align_corners=False)` do: a
 *   separable triangle filter whose support is scaled by the downscale factor
 *   (so every input pixel contributes when shrinking), weights normalised per
 *   output pixel, horizontal pass then vertical. Computed in float64 and stored
 *   as float32, so it matches PyTorch's float path (and Pillow's 'F' mode) to
 *   float32 rounding. When enlarging it is plain bilinear with half-pixel
 *   centres.
 * - `resizePil8Bilinear`: the same filter on 8-bit grey images with Pillow's
 *   fixed-point arithmetic and rounding to 8 bits after each pass, bit-exact
 *   with `Image.resize(BILINEAR)` on mode 'L' (what torchvision's Resize does
 *   to a PIL image, hence to BMAD's PNGs in the paper's pipeline).
 *
 * Anomaly maps are upsampled to the image by `upsampleMap` in
 * src-common/imaging/upsample.ts (torch bilinear, align_corners=False), one
 * implementation for the engine, the viewer and the reports.
 */

interface AxisWeights {
  /** First input index contributing to each output index. */
  starts: Int32Array;
  /** Number of contributing input indices per output index. */
  counts: Int32Array;
  /** [outSize, stride] normalised weights. */
  weights: Float64Array;
  stride: number;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** PIL's precompute_coeffs (and PyTorch's _compute_indices_weights_aa) for the bilinear filter. */
function antialiasedBilinearWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? 1 / scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const start = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - start;
    let total = 0;
    for (let j = 0; j < count; j++) {
      const w = triangle((j + start - center + 0.5) * invScale);
      weights[i * stride + j] = w;
      total += w;
    }
    if (total !== 0) for (let j = 0; j < count; j++) weights[i * stride + j]! /= total;
    starts[i] = start;
    counts[i] = count;
  }
  return { starts, counts, weights, stride };
}

function checkShape(
  data: ArrayLike<number>,
  channels: number,
  height: number,
  width: number,
  what: string,
): void {
  for (const [name, value] of [
    ['channels', channels],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0)
      throw new RangeError(`${what}: ${name} must be a positive integer, got ${value}`);
  }
  if (data.length !== channels * height * width) {
    throw new RangeError(
      `${what}: expected ${channels}x${height}x${width} = ${channels * height * width} values, got ${data.length}`,
    );
  }
}

/**
 * Antialiased bilinear resize of `image` [channels, height, width] (any units,
 * row-major) to [channels, outHeight, outWidth] float32, PIL/PyTorch-compatible.
 */
export function resizeAntialiasedBilinear(
  image: ArrayLike<number>,
  channels: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  checkShape(image, channels, height, width, 'resizeAntialiasedBilinear input');
  checkShape(
    { length: channels * outHeight * outWidth },
    channels,
    outHeight,
    outWidth,
    'resizeAntialiasedBilinear output',
  );
  const horizontal = antialiasedBilinearWeights(width, outWidth);
  const vertical = antialiasedBilinearWeights(height, outHeight);
  const rowPass = new Float64Array(height * outWidth);
  const out = new Float32Array(channels * outHeight * outWidth);
  for (let c = 0; c < channels; c++) {
    const inBase = c * height * width;
    for (let y = 0; y < height; y++) {
      const rowBase = inBase + y * width;
      for (let x = 0; x < outWidth; x++) {
        const start = horizontal.starts[x]!;
        const count = horizontal.counts[x]!;
        const wBase = x * horizontal.stride;
        let sum = 0;
        for (let j = 0; j < count; j++)
          sum += horizontal.weights[wBase + j]! * image[rowBase + start + j]!;
        rowPass[y * outWidth + x] = sum;
      }
    }
    const outBase = c * outHeight * outWidth;
    for (let y = 0; y < outHeight; y++) {
      const start = vertical.starts[y]!;
      const count = vertical.counts[y]!;
      const wBase = y * vertical.stride;
      for (let x = 0; x < outWidth; x++) {
        let sum = 0;
        for (let j = 0; j < count; j++)
          sum += vertical.weights[wBase + j]! * rowPass[(start + j) * outWidth + x]!;
        out[outBase + y * outWidth + x] = sum;
      }
    }
  }
  return out;
}

/** Pillow's fixed-point precision for 8-bit resampling (PRECISION_BITS = 32 - 8 - 2). */
const PIL_PRECISION_BITS = 22;

/** Pillow's normalize_coeffs_8bpc: weights to fixed point, rounding half away from zero. */
function fixedPointWeights(axis: AxisWeights): Float64Array {
  const scale = 2 ** PIL_PRECISION_BITS;
  return axis.weights.map((w) =>
    w < 0 ? Math.trunc(-0.5 + w * scale) : Math.trunc(0.5 + w * scale),
  );
}

/** One fixed-point accumulation rounded and clipped to 8 bits, as Pillow's clip8. */
function clip8(sum: number): number {
  const value = Math.floor(sum / 2 ** PIL_PRECISION_BITS);
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/**
 * Pillow-exact bilinear resize of an 8-bit grey image [height, width] to
 * [outHeight, outWidth] (uint8): horizontal pass to 8 bits, then vertical.
 */
export function resizePil8Bilinear(
  image: Uint8Array,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  checkShape(image, 1, height, width, 'resizePil8Bilinear input');
  checkShape({ length: outHeight * outWidth }, 1, outHeight, outWidth, 'resizePil8Bilinear output');
  const half = 2 ** (PIL_PRECISION_BITS - 1);
  let current = image;
  let currentWidth = width;
  if (outWidth !== width) {
    const horizontal = antialiasedBilinearWeights(width, outWidth);
    const k = fixedPointWeights(horizontal);
    const next = new Uint8Array(height * outWidth);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < outWidth; x++) {
        const start = horizontal.starts[x]!;
        const count = horizontal.counts[x]!;
        let sum = half;
        for (let j = 0; j < count; j++)
          sum += current[y * width + start + j]! * k[x * horizontal.stride + j]!;
        next[y * outWidth + x] = clip8(sum);
      }
    }
    current = next;
    currentWidth = outWidth;
  }
  if (outHeight !== height) {
    const vertical = antialiasedBilinearWeights(height, outHeight);
    const k = fixedPointWeights(vertical);
    const next = new Uint8Array(outHeight * currentWidth);
    for (let y = 0; y < outHeight; y++) {
      const start = vertical.starts[y]!;
      const count = vertical.counts[y]!;
      for (let x = 0; x < currentWidth; x++) {
        let sum = half;
        for (let j = 0; j < count; j++)
          sum += current[(start + j) * currentWidth + x]! * k[y * vertical.stride + j]!;
        next[y * currentWidth + x] = clip8(sum);
      }
    }
    current = next;
  }
  return current === image ? image.slice() : current;
}
