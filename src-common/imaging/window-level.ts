/**
 * Grey-scale display of stored values: modality LUT (rescale slope and
 * intercept, PS3.3 C.11.1) then the linear VOI window (PS3.3 C.11.2.1.2.1),
 * written as opaque RGBA so the overlay can be composited on top. Pure code on
 * typed arrays: the viewer and the report renderer draw key images with it.
 */

export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float32Array;

/** A VOI window in modality units (e.g. Hounsfield units for CT). */
export interface VoiWindow {
  center: number;
  /** >= 1 */
  width: number;
}

/** Named windows per modality; MR has none fixed (its units are arbitrary), it uses autoWindow. */
export const WINDOW_PRESETS: Readonly<Record<string, ReadonlyArray<{ name: string; window: VoiWindow }>>> = {
  CT: [
    { name: 'Brain', window: { center: 40, width: 80 } },
    { name: 'Lung', window: { center: -600, width: 1500 } },
    { name: 'Bone', window: { center: 400, width: 1800 } },
    { name: 'Abdomen', window: { center: 40, width: 400 } },
  ],
};

/**
 * Display level 0..255 of one modality value under the linear VOI function of
 * PS3.3 C.11.2.1.2.1: below c - 0.5 - (w-1)/2 is 0, above c - 0.5 + (w-1)/2 is 255.
 */
export function voiLevel(value: number, window: VoiWindow): number {
  const width = Math.max(1, window.width);
  if (width === 1) return value < window.center - 0.5 ? 0 : 255;
  const y = ((value - (window.center - 0.5)) / (width - 1) + 0.5) * 255;
  return y <= 0 ? 0 : y >= 255 ? 255 : Math.round(y);
}

/** Smallest and largest stored value of a frame. */
export function storedRange(values: StoredArray): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length === 0 ? { min: 0, max: 0 } : { min, max };
}

/** RGBA bytes can be written as one uint32 per pixel only on little-endian hosts (all we ship on) */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** above this many distinct stored values a lookup table costs more than it saves */
const MAX_LUT_ENTRIES = 1 << 20;

export interface GreyOptions {
  slope: number;
  intercept: number;
  window: VoiWindow;
  /** MONOCHROME1 shows high values dark; `invert` flips the display on top of that */
  invert: boolean;
  /** the frame's stored range when already known (saves a pass) */
  range?: { min: number; max: number };
}

/**
 * Renders one grey frame `values` [rows * columns] stored values into `out`
 * [rows * columns * 4] RGBA bytes (alpha 255). Integer data goes through a
 * lookup table over its stored range, so a 512x512 16-bit frame costs one
 * table fill plus one pass.
 */
export function renderGrey(values: StoredArray, options: GreyOptions, out: Uint8ClampedArray): void {
  if (out.length < values.length * 4) {
    throw new RangeError(`renderGrey: output holds ${out.length / 4} pixels, the frame has ${values.length}`);
  }
  const { slope, intercept, window, invert } = options;
  const level = (stored: number): number => {
    const grey = voiLevel(stored * slope + intercept, window);
    return invert ? 255 - grey : grey;
  };
  const range = options.range ?? storedRange(values);
  const integer = !(values instanceof Float32Array);
  const entries = range.max - range.min + 1;
  if (integer && entries <= MAX_LUT_ENTRIES && LITTLE_ENDIAN) {
    // one packed RGBA word per pixel: a quarter of the writes of byte-wise output
    const lut = new Uint32Array(entries);
    for (let k = 0; k < entries; k++) {
      const g = level(range.min + k);
      lut[k] = (0xff000000 | (g << 16) | (g << 8) | g) >>> 0;
    }
    const offset = range.min;
    const out32 = new Uint32Array(out.buffer, out.byteOffset, values.length);
    for (let i = 0; i < values.length; i++) out32[i] = lut[values[i]! - offset]!;
    return;
  }
  for (let i = 0, o = 0; i < values.length; i++, o += 4) {
    const g = level(values[i]!);
    out[o] = g;
    out[o + 1] = g;
    out[o + 2] = g;
    out[o + 3] = 255;
  }
}

/**
 * A window covering the 1st to 99th percentile of the frame's modality
 * values: the default for modalities without meaningful units (MR).
 * Percentiles from a 1024-bin histogram over the stored range.
 */
export function autoWindow(values: StoredArray, slope: number, intercept: number, range = storedRange(values)): VoiWindow {
  const bins = 1024;
  const span = range.max - range.min;
  if (values.length === 0 || span === 0) return { center: range.min * slope + intercept, width: Math.max(1, Math.abs(slope)) };
  const counts = new Uint32Array(bins);
  const scale = (bins - 1) / span;
  for (let i = 0; i < values.length; i++) counts[Math.floor((values[i]! - range.min) * scale)]! += 1;
  const percentileBin = (fraction: number): number => {
    const target = fraction * values.length;
    let seen = 0;
    for (let b = 0; b < bins; b++) {
      seen += counts[b]!;
      if (seen >= target) return b;
    }
    return bins - 1;
  };
  const low = range.min + percentileBin(0.01) / scale;
  const high = range.min + (percentileBin(0.99) + 1) / scale;
  const a = low * slope + intercept;
  const b = high * slope + intercept;
  return { center: (a + b) / 2, width: Math.max(1, Math.abs(b - a)) };
}

/**
 * Window after a mouse drag of (dx, dy) CSS pixels, as the common viewers do:
 * right increases width (less contrast), down increases center (darker).
 * `sensitivity` is modality units per pixel (scaled by the frame's range).
 */
export function dragWindow(start: VoiWindow, dx: number, dy: number, sensitivity: number): VoiWindow {
  return { center: start.center + dy * sensitivity, width: Math.max(1, start.width + dx * sensitivity) };
}
