import { describe, expect, it } from 'vitest';
import { COLORMAP_IDS, colormapColor, colormapCss, colormapTable } from '../../../src-common/imaging/colormaps';

describe('colour maps', () => {
  it('have matplotlib endpoints for inferno and cividis and the classic ones for jet and hot', () => {
    expect(colormapColor('inferno', 0)).toEqual([0, 0, 4]);
    expect(colormapColor('inferno', 1)).toEqual([252, 255, 164]);
    expect(colormapColor('cividis', 0)).toEqual([0, 34, 78]);
    expect(colormapColor('cividis', 1)).toEqual([254, 232, 56]);
    expect(colormapColor('jet', 0)).toEqual([0, 0, 128]);
    expect(colormapColor('jet', 1)).toEqual([128, 0, 0]);
    expect(colormapColor('hot', 0)).toEqual([0, 0, 0]);
    expect(colormapColor('hot', 1)).toEqual([255, 255, 255]);
    expect(colormapCss('inferno', 1)).toBe('#fcffa4');
  });

  it('clamp out-of-range and non-finite positions', () => {
    expect(colormapColor('hot', 7)).toEqual([255, 255, 255]);
    expect(colormapColor('hot', Number.NaN)).toEqual([0, 0, 0]);
  });

  it('inferno and cividis grow monotonically in brightness, so the scale reads without hue', () => {
    for (const id of ['inferno', 'cividis'] as const) {
      const table = colormapTable(id);
      let previous = -1;
      for (let k = 0; k < 256; k += 1) {
        const luma = 0.299 * table[3 * k]! + 0.587 * table[3 * k + 1]! + 0.114 * table[3 * k + 2]!;
        expect(luma).toBeGreaterThanOrEqual(previous - 1.5);
        previous = luma;
      }
    }
    expect(COLORMAP_IDS).toContain('cividis');
  });
});
