/**
 * Colour maps for the anomaly overlay, as 256-entry RGB tables. inferno and
 * cividis are matplotlib's tables sampled at 17 evenly spaced points and
 * interpolated linearly (within 2 levels of the originals); cividis is designed
 * to read the same for the common colour-vision deficiencies. jet and hot are
 * the classic piecewise-linear maps.
 */

export const COLORMAP_IDS = ['inferno', 'cividis', 'jet', 'hot'] as const;
export type ColormapId = (typeof COLORMAP_IDS)[number];

export const COLORMAP_LABELS: Readonly<Record<ColormapId, string>> = {
  inferno: 'Inferno',
  cividis: 'Cividis (colour-blind safe)',
  jet: 'Jet',
  hot: 'Hot',
};

type Rgb = readonly [number, number, number];

const INFERNO_ANCHORS: readonly Rgb[] = [
  [0, 0, 4], [11, 7, 36], [33, 12, 74], [61, 9, 101], [87, 16, 110], [113, 25, 110], [138, 34, 106],
  [163, 44, 97], [188, 55, 84], [208, 69, 69], [227, 89, 51], [241, 113, 31], [249, 140, 10],
  [252, 170, 15], [249, 201, 50], [242, 232, 101], [252, 255, 164],
];

const CIVIDIS_ANCHORS: readonly Rgb[] = [
  [0, 34, 78], [0, 46, 106], [26, 56, 111], [50, 67, 109], [67, 78, 108], [83, 90, 109], [97, 101, 111],
  [111, 112, 115], [125, 124, 120], [139, 135, 120], [154, 147, 118], [170, 160, 115], [187, 173, 109],
  [204, 186, 100], [221, 200, 88], [239, 215, 72], [254, 232, 56],
];

function fromAnchors(anchors: readonly Rgb[]): Uint8Array {
  const table = new Uint8Array(256 * 3);
  const segments = anchors.length - 1;
  for (let k = 0; k < 256; k++) {
    const position = (k / 255) * segments;
    const i = Math.min(Math.floor(position), segments - 1);
    const f = position - i;
    for (let c = 0; c < 3; c++) {
      table[3 * k + c] = Math.round(anchors[i]![c]! * (1 - f) + anchors[i + 1]![c]! * f);
    }
  }
  return table;
}

function fromFunction(rgb: (t: number) => Rgb): Uint8Array {
  const table = new Uint8Array(256 * 3);
  const clamp = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  for (let k = 0; k < 256; k++) {
    const [r, g, b] = rgb(k / 255);
    table[3 * k] = clamp(r);
    table[3 * k + 1] = clamp(g);
    table[3 * k + 2] = clamp(b);
  }
  return table;
}

/** MATLAB's jet: dark blue, blue, cyan, yellow, red, dark red. */
const jet = (t: number): Rgb => [1.5 - Math.abs(4 * t - 3), 1.5 - Math.abs(4 * t - 2), 1.5 - Math.abs(4 * t - 1)];

/** black, red, yellow, white (matplotlib's gist of 'hot': channels ramp in turn) */
const hot = (t: number): Rgb => [t / 0.365, (t - 0.365) / 0.381, (t - 0.746) / 0.254];

const tables = new Map<ColormapId, Uint8Array>();

/** The 256x3 RGB table of a colour map (built once, then shared; do not modify). */
export function colormapTable(id: ColormapId): Uint8Array {
  let table = tables.get(id);
  if (!table) {
    table =
      id === 'inferno' ? fromAnchors(INFERNO_ANCHORS)
      : id === 'cividis' ? fromAnchors(CIVIDIS_ANCHORS)
      : id === 'jet' ? fromFunction(jet)
      : fromFunction(hot);
    tables.set(id, table);
  }
  return table;
}

/** RGB of `t` in [0, 1] (clamped) under a colour map. */
export function colormapColor(id: ColormapId, t: number): Rgb {
  const table = colormapTable(id);
  const k = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)));
  return [table[3 * k]!, table[3 * k + 1]!, table[3 * k + 2]!];
}

/** `#rrggbb` of `t` under a colour map (for CSS gradients in the colour bar). */
export function colormapCss(id: ColormapId, t: number): string {
  return `#${colormapColor(id, t).map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
