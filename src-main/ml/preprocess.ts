/**
 * Preprocessing from a stored DICOM frame (or an 8-bit PNG) to the backbone's
 * input tensor. Versioned and stored with every model: training and scoring
 * call these same functions with the model's spec, so any change to the
 * arithmetic here must bump PREPROCESSING_VERSION.
 *
 * DICOM path (PS3.3 C.11): modality LUT (rescale slope/intercept), VOI window
 * (the header's linear window, or robust percentiles of the frame), MONOCHROME1
 * inverted so that bright means high signal everywhere, clamp to [0, 1],
 * antialiased bilinear resize to size x size, grey repeated to 3 channels with
 * ImageNet normalisation. The resize ignores the aspect ratio, as the paper's
 * pipeline does (square MR slices are unaffected).
 *
 * Colour frames are converted to grey (BT.601 luma; for YBR_FULL the Y plane):
 * the detector learns from grey images repeated to 3 channels, and keeping RGB
 * would feed it a distribution it never saw in training. No VOI window applies
 * to colour (PS3.3 C.11.2), so they are scaled by their bit depth.
 */
import { z } from 'zod';
import { NormscopeError } from '../api/errors';
import { resizeAntialiasedBilinear, resizePil8Bilinear } from './resize';

export const PREPROCESSING_VERSION = 1;

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const PreprocessingSpec = z
  .object({
    version: z.literal(PREPROCESSING_VERSION).default(PREPROCESSING_VERSION),
    /** 'header': the frame's Window Center/Width (falls back to percentiles when absent); 'percentile': always percentiles. */
    window: z.enum(['header', 'percentile']).default('percentile'),
    /** Lower and upper percentiles (0..100) of the frame's modality values mapped to 0 and 1. */
    percentiles: z
      .tuple([z.number().min(0).max(100), z.number().min(0).max(100)])
      .default([0.5, 99.5]),
    /** Side of the square backbone input in pixels (448 = 28 patches of 16). */
    size: z.number().int().min(16).max(4096).default(448),
    mean: triple.default([...IMAGENET_MEAN]),
    std: triple.default([...IMAGENET_STD]),
  })
  .refine((spec) => spec.percentiles[0] < spec.percentiles[1], {
    message: 'the lower percentile must be below the upper one',
    path: ['percentiles'],
  })
  .refine((spec) => spec.std.every((s) => s > 0), {
    message: 'std values must be positive',
    path: ['std'],
  });

export type PreprocessingSpec = z.infer<typeof PreprocessingSpec>;

export const DEFAULT_PREPROCESSING: PreprocessingSpec = PreprocessingSpec.parse({});

/** What preprocessing needs to know about a decoded frame (from its DICOM header). */
export interface FrameMeta {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** Photometric Interpretation: MONOCHROME1, MONOCHROME2, RGB or YBR_FULL. */
  photometric: string;
  /** Rescale Slope and Intercept (1 and 0 when absent). */
  slope: number;
  intercept: number;
  windowCenter?: number;
  windowWidth?: number;
  /** 0: colour samples interleaved per pixel (default), 1: one plane per colour. */
  planarConfiguration?: number;
  /** Bits Stored, used to scale colour samples (default 8). */
  bitsStored?: number;
}

export type StoredPixels =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** numpy's default ('linear') percentiles p (0..100) of `values`, both from one ranking. */
function percentiles(values: StoredPixels, lowP: number, highP: number): [number, number] {
  const n = values.length;
  const rankValue =
    values instanceof Uint8Array ||
    values instanceof Int8Array ||
    values instanceof Uint16Array ||
    values instanceof Int16Array
      ? countingRank(values)
      : sortingRank(values);
  const at = (p: number): number => {
    const position = (p / 100) * (n - 1);
    const below = Math.floor(position);
    const lowValue = rankValue(below);
    return below + 1 < n
      ? lowValue + (position - below) * (rankValue(below + 1) - lowValue)
      : lowValue;
  };
  return [at(lowP), at(highP)];
}

/** k-th smallest value (0-based) by counting: exact and linear time for 8/16-bit integer pixels. */
function countingRank(
  values: Uint8Array | Int8Array | Uint16Array | Int16Array,
): (k: number) => number {
  const offset = values instanceof Int8Array ? 128 : values instanceof Int16Array ? 32768 : 0;
  const counts = new Float64Array(
    values instanceof Uint8Array || values instanceof Int8Array ? 256 : 65536,
  );
  for (let i = 0; i < values.length; i++) counts[values[i]! + offset]! += 1;
  return (k) => {
    let seen = 0;
    for (let v = 0; v < counts.length; v++) {
      seen += counts[v]!;
      if (seen > k) return v - offset;
    }
    throw new RangeError(`rank ${k} is beyond ${values.length} values`);
  };
}

function sortingRank(values: StoredPixels): (k: number) => number {
  const sorted = Float64Array.from(values).sort();
  return (k) => sorted[k]!;
}

function checkFrame(stored: StoredPixels, meta: FrameMeta): void {
  if (!(
    meta.rows > 0 &&
    meta.columns > 0 &&
    Number.isInteger(meta.rows) &&
    Number.isInteger(meta.columns)
  )) {
    throw new NormscopeError(
      'InvalidRequest',
      `frame size ${meta.rows}x${meta.columns} is not a positive integer size`,
    );
  }
  const expected = meta.rows * meta.columns * meta.samplesPerPixel;
  if (stored.length !== expected) {
    throw new NormscopeError(
      'InvalidRequest',
      `frame has ${stored.length} samples, expected ${meta.rows}x${meta.columns}x${meta.samplesPerPixel} = ${expected}`,
    );
  }
  if (!Number.isFinite(meta.slope) || !Number.isFinite(meta.intercept) || meta.slope === 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `rescale slope ${meta.slope} / intercept ${meta.intercept} is not usable`,
    );
  }
}

function colourToUnitGrey(stored: StoredPixels, meta: FrameMeta): Float32Array {
  const pixels = meta.rows * meta.columns;
  const planar = meta.planarConfiguration === 1;
  const sample = (pixel: number, channel: number): number =>
    planar ? stored[channel * pixels + pixel]! : stored[pixel * 3 + channel]!;
  const maxValue = 2 ** (meta.bitsStored ?? 8) - 1;
  const out = new Float32Array(pixels);
  const photometric = meta.photometric.trim().toUpperCase();
  for (let p = 0; p < pixels; p++) {
    const grey =
      photometric === 'RGB'
        ? 0.299 * sample(p, 0) + 0.587 * sample(p, 1) + 0.114 * sample(p, 2)
        : sample(p, 0);
    out[p] = Math.min(1, Math.max(0, grey / maxValue));
  }
  return out;
}

/**
 * The frame as grey values in [0, 1] after modality LUT, window and polarity:
 * [rows, columns] float32, the image the model sees before resizing (also the
 * input of the foreground mask).
 */
export function frameToUnitGrey(
  stored: StoredPixels,
  meta: FrameMeta,
  spec: PreprocessingSpec,
): Float32Array {
  checkFrame(stored, meta);
  const photometric = meta.photometric.trim().toUpperCase();
  if (meta.samplesPerPixel === 3 && (photometric === 'RGB' || photometric === 'YBR_FULL')) {
    return colourToUnitGrey(stored, meta);
  }
  if (
    meta.samplesPerPixel !== 1 ||
    (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')
  ) {
    throw new NormscopeError(
      'InvalidRequest',
      `cannot preprocess ${meta.samplesPerPixel}-sample ${meta.photometric} frames (supported: MONOCHROME1/2, RGB, YBR_FULL)`,
    );
  }

  // window bounds in modality units: values <= low map to 0, >= high to 1
  let low: number;
  let high: number;
  const width = meta.windowWidth;
  const center = meta.windowCenter;
  if (
    spec.window === 'header' &&
    width !== undefined &&
    center !== undefined &&
    width >= 1 &&
    Number.isFinite(center)
  ) {
    // PS3.3 C.11.2.1.2.1 linear function: y = ((x - (c - 0.5)) / (w - 1) + 0.5), clamped to [0, 1]
    low = center - 0.5 - (width - 1) / 2;
    high = center - 0.5 + (width - 1) / 2;
  } else {
    const [storedLow, storedHigh] = percentiles(stored, spec.percentiles[0], spec.percentiles[1]);
    const a = meta.slope * storedLow + meta.intercept;
    const b = meta.slope * storedHigh + meta.intercept;
    low = Math.min(a, b);
    high = Math.max(a, b);
  }

  const out = new Float32Array(meta.rows * meta.columns);
  const span = high - low;
  const invert = photometric === 'MONOCHROME1';
  for (let i = 0; i < out.length; i++) {
    const value = meta.slope * stored[i]! + meta.intercept;
    // a flat frame (span 0) maps to 0 rather than dividing by zero
    let unit = span > 0 ? (value - low) / span : 0;
    unit = unit < 0 ? 0 : unit > 1 ? 1 : unit;
    out[i] = invert ? 1 - unit : unit;
  }
  return out;
}

/** Grey [h, w] in [0, 1] -> resized, repeated to 3 channels, normalised: [3, size, size] float32. */
function unitGreyToInput(
  grey: Float32Array,
  height: number,
  width: number,
  spec: PreprocessingSpec,
): Float32Array {
  const size = spec.size;
  const resized = resizeAntialiasedBilinear(grey, 1, height, width, size, size);
  return greyToNormalisedChannels(resized, spec.mean, spec.std);
}

/** Grey plane in [0, 1] -> 3 channels (c = (grey - mean[c]) / std[c]), [3, ...plane] float32. */
function greyToNormalisedChannels(
  grey: ArrayLike<number>,
  mean: readonly number[],
  std: readonly number[],
  scale = 1,
): Float32Array {
  const plane = grey.length;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const m = mean[c]!;
    const invStd = 1 / std[c]!;
    for (let i = 0; i < plane; i++) out[c * plane + i] = (grey[i]! * scale - m) * invStd;
  }
  return out;
}

/**
 * A decoded DICOM frame (`stored`: the stored pixel values, [rows, columns] or
 * [rows, columns, 3] / [3, rows, columns] for colour) -> backbone input
 * [3, spec.size, spec.size] float32, ImageNet-normalised.
 */
export function preprocessFrame(
  stored: StoredPixels,
  meta: FrameMeta,
  spec: PreprocessingSpec,
): Float32Array {
  return unitGreyToInput(frameToUnitGrey(stored, meta, spec), meta.rows, meta.columns, spec);
}

/**
 * The paper's BMAD PNG path: 8-bit grey [height, width] -> RGB, resized to
 * size x size with Pillow's 8-bit antialiased bilinear filter (bit-exact, as
 * torchvision's Resize on a PIL image), /255, ImageNet normalisation:
 * [3, size, size] float32.
 */
export function preprocessPng8(
  grey: Uint8Array,
  width: number,
  height: number,
  size = 448,
): Float32Array {
  if (grey.length !== width * height) {
    throw new NormscopeError(
      'InvalidRequest',
      `PNG has ${grey.length} pixels, expected ${width}x${height}`,
    );
  }
  return greyToNormalisedChannels(
    resizePil8Bilinear(grey, height, width, size, size),
    IMAGENET_MEAN,
    IMAGENET_STD,
    1 / 255,
  );
}
