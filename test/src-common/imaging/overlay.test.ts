import { describe, expect, it } from 'vitest';
import { colormapColor } from '../../../src-common/imaging/colormaps';
import { contourMask } from '../../../src-common/imaging/contour';
import { compositeOverlay } from '../../../src-common/imaging/overlay';

const grey = (pixels: number, level: number): Uint8ClampedArray => {
  const out = new Uint8ClampedArray(pixels * 4).fill(level);
  return out;
};

describe('contourMask', () => {
  it('outlines a filled square by its border pixels only', () => {
    const values = new Float32Array(7 * 7);
    for (let y = 1; y <= 5; y++) for (let x = 1; x <= 5; x++) values[y * 7 + x] = 1;
    const mask = contourMask(values, 7, 7, 0.5);
    const onOutline = (x: number, y: number) => mask[y * 7 + x];
    expect(onOutline(1, 1)).toBe(1);
    expect(onOutline(3, 1)).toBe(1);
    expect(onOutline(5, 5)).toBe(1);
    expect(onOutline(3, 3)).toBe(0);
    expect(onOutline(0, 0)).toBe(0);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(16);
  });
});

describe('compositeOverlay', () => {
  const map = Float32Array.from([0, 0.2, 0.6, 1.0]);
  const style = { colormap: 'hot' as const, opacity: 0.5, threshold: 0.5, scaleMin: 0, scaleMax: 1, mode: 'fill' as const };

  it('leaves pixels below the threshold grey and blends the colour above it', () => {
    const out = new Uint8ClampedArray(16);
    compositeOverlay(grey(4, 100), map, 2, 2, style, out);
    expect(Array.from(out.subarray(0, 8))).toEqual([100, 100, 100, 255, 100, 100, 100, 255]);
    const [r, g, b] = colormapColor('hot', 1);
    expect(Array.from(out.subarray(12, 15))).toEqual([50 + r / 2, 50 + g / 2, 50 + b / 2].map(Math.round));
  });

  it('changes which pixels are coloured when the threshold moves', () => {
    const low = new Uint8ClampedArray(16);
    const high = new Uint8ClampedArray(16);
    compositeOverlay(grey(4, 100), map, 2, 2, { ...style, threshold: 0.1 }, low);
    compositeOverlay(grey(4, 100), map, 2, 2, { ...style, threshold: 0.9 }, high);
    expect(Array.from(low.subarray(4, 8))).not.toEqual([100, 100, 100, 255]);
    expect(Array.from(high.subarray(8, 12))).toEqual([100, 100, 100, 255]);
  });

  it('draws the outline opaque whatever the opacity', () => {
    const out = new Uint8ClampedArray(16);
    compositeOverlay(grey(4, 100), map, 2, 2, { ...style, opacity: 0.1, mode: 'outline' }, out);
    expect(Array.from(out.subarray(12, 15))).toEqual(colormapColor('hot', 1));
  });
});

describe('compositeOverlay fast path', () => {
  it('gives the same pixels for grey frames as the general path', () => {
    const width = 37;
    const height = 23;
    const grey = new Uint8ClampedArray(width * height * 4);
    const map = new Float32Array(width * height);
    for (let i = 0; i < width * height; i++) {
      grey.fill((i * 53) % 256, 4 * i, 4 * i + 3);
      grey[4 * i + 3] = 255;
      map[i] = ((i * 31) % 97) / 80 - 0.1;
    }
    for (const mode of ['fill', 'outline'] as const) {
      for (const opacity of [0.35, 0.8]) {
        const style = { colormap: 'inferno' as const, opacity, threshold: 0.4, scaleMin: 0, scaleMax: 1.1, mode };
        const general = new Uint8ClampedArray(grey.length);
        const fast = new Uint8ClampedArray(grey.length);
        compositeOverlay(grey, map, width, height, style, general, false);
        compositeOverlay(grey, map, width, height, style, fast, true);
        expect(fast).toEqual(general);
      }
    }
  });
});
