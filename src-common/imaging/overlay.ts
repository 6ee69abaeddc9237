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
  const keep = 1 - alpha;
  const { threshold, scaleMin } = style;
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
