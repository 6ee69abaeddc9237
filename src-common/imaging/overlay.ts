/**
 * Compositing the upsampled anomaly map over a rendered grey frame. Only this
 * pass reruns when the threshold, opacity, colour map or mode change: the
 * frame's grey pixels and the upsampled map are computed once per slice.
 */
import type { ColormapId } from './colormaps';
import { colormapTable } from './colormaps';
import { contourMask } from './contour';

export interface OverlayStyle {
  colormap: ColormapId;
  /** 0..1: weight of the colour over the grey pixel */
  opacity: number;
  /** map values below this are transparent (units of the map) */
  threshold: number;
  /** map value shown at the bottom and at the top of the colour map */
  scaleMin: number;
  scaleMax: number;
  /** 'fill' colours every pixel at or above the threshold; 'outline' only the region's contour, opaque */
  mode: 'fill' | 'outline';
}

/**
 * out = grey composited with colour(map) where map >= threshold.
 * `grey` and `out` are RGBA [width * height * 4] (they may be the same array
 * only if the caller does not need the grey pixels again); `map` is
 * [width * height] float32 in map units, already upsampled to the frame.
 */
export function compositeOverlay(
  grey: Uint8ClampedArray,
  map: Float32Array,
  width: number,
  height: number,
  style: OverlayStyle,
  out: Uint8ClampedArray,
  /** the frame is grey (R = G = B), which allows the table-driven fast path */
  monochrome = false,
): void {
  const pixels = width * height;
  if (map.length !== pixels || grey.length < pixels * 4 || out.length < pixels * 4) {
    throw new RangeError(`compositeOverlay: sizes disagree for a ${width}x${height} frame`);
  }
  const table = colormapTable(style.colormap);
  const span = style.scaleMax - style.scaleMin;
  const toIndex = span > 0 ? 255 / span : 0;
  const outline = style.mode === 'outline' ? contourMask(map, width, height, style.threshold) : null;
  const alpha = outline ? 1 : Math.min(1, Math.max(0, style.opacity));
  const { threshold, scaleMin } = style;
  if (monochrome && LITTLE_ENDIAN) {
    const blended = blendTable(style.colormap, alpha);
    const grey32 = new Uint32Array(grey.buffer, grey.byteOffset, pixels);
    const out32 = new Uint32Array(out.buffer, out.byteOffset, pixels);
    for (let i = 0; i < pixels; i++) {
      const v = map[i]!;
      if (outline ? outline[i] !== 1 : !(v >= threshold)) {
        out32[i] = grey32[i]!;
        continue;
      }
      let k = Math.round((v - scaleMin) * toIndex);
      k = k < 0 ? 0 : k > 255 ? 255 : k;
      out32[i] = blended[(k << 8) | grey[4 * i]!]!;
    }
    return;
  }
  const keep = 1 - alpha;
  for (let i = 0, o = 0; i < pixels; i++, o += 4) {
    const v = map[i]!;
    const shown = outline ? outline[i] === 1 : v >= threshold;
    if (!shown) {
      out[o] = grey[o]!;
      out[o + 1] = grey[o + 1]!;
      out[o + 2] = grey[o + 2]!;
      out[o + 3] = 255;
      continue;
    }
    let k = Math.round((v - scaleMin) * toIndex);
    k = k < 0 ? 0 : k > 255 ? 255 : k;
    out[o] = grey[o]! * keep + table[3 * k]! * alpha;
    out[o + 1] = grey[o + 1]! * keep + table[3 * k + 1]! * alpha;
    out[o + 2] = grey[o + 2]! * keep + table[3 * k + 2]! * alpha;
    out[o + 3] = 255;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

let cachedBlend: { colormap: ColormapId; alpha: number; table: Uint32Array } | null = null;

/**
 * Packed RGBA of colour k blended over grey level g, at index (k << 8) | g:
 * 65536 words, rebuilt only when the colour map or opacity changes, so the
 * per-pixel work is one comparison and one lookup. Rounds like Uint8ClampedArray.
 */
function blendTable(colormap: ColormapId, alpha: number): Uint32Array {
  if (cachedBlend && cachedBlend.colormap === colormap && cachedBlend.alpha === alpha) return cachedBlend.table;
  const colours = colormapTable(colormap);
  const keep = 1 - alpha;
  const clamp = new Uint8ClampedArray(3);
  const table = new Uint32Array(65536);
  for (let k = 0; k < 256; k++) {
    for (let g = 0; g < 256; g++) {
      clamp[0] = g * keep + colours[3 * k]! * alpha;
      clamp[1] = g * keep + colours[3 * k + 1]! * alpha;
      clamp[2] = g * keep + colours[3 * k + 2]! * alpha;
      table[(k << 8) | g] = (0xff000000 | (clamp[2]! << 16) | (clamp[1]! << 8) | clamp[0]!) >>> 0;
    }
  }
  cachedBlend = { colormap, alpha, table };
  return table;
}
