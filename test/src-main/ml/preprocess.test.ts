import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PREPROCESSING,
  IMAGENET_MEAN,
  IMAGENET_STD,
  PREPROCESSING_VERSION,
  PreprocessingSpec,
  frameToUnitGrey,
  preprocessFrame,
  preprocessPng8,
} from '../../../src-main/ml/preprocess';
import type { FrameMeta } from '../../../src-main/ml/preprocess';
import { resizePil8Bilinear } from '../../../src-main/ml/resize';

const mono2 = (rows: number, columns: number, extra: Partial<FrameMeta> = {}): FrameMeta => ({
  rows,
  columns,
  samplesPerPixel: 1,
  photometric: 'MONOCHROME2',
  slope: 1,
  intercept: 0,
  ...extra,
});

describe('PreprocessingSpec', () => {
  it('defaults to the paper: 448 px, ImageNet mean/std, percentile window 0.5-99.5, current version', () => {
    expect(DEFAULT_PREPROCESSING).toEqual({
      version: PREPROCESSING_VERSION,
      window: 'percentile',
      percentiles: [0.5, 99.5],
      size: 448,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    });
  });

  it('rejects inverted percentiles, a zero std and an unknown version', () => {
    expect(PreprocessingSpec.safeParse({ percentiles: [99, 1] }).success).toBe(false);
    expect(PreprocessingSpec.safeParse({ std: [0, 1, 1] }).success).toBe(false);
    expect(PreprocessingSpec.safeParse({ version: PREPROCESSING_VERSION + 1 }).success).toBe(false);
  });
});

describe('frameToUnitGrey', () => {
  it('applies the modality LUT and the header window as PS3.3 C.11.2.1.2.1 defines it', () => {
    // modality = 2 * stored - 100; window c=100, w=101: 0 at <= 49.5, 1 at >= 149.5, linear between
    const stored = new Uint16Array([0, 74, 100, 124, 200]); // modality -100, 48, 100, 148, 300
    const meta = mono2(1, 5, { slope: 2, intercept: -100, windowCenter: 100, windowWidth: 101 });
    const grey = frameToUnitGrey(stored, meta, { ...DEFAULT_PREPROCESSING, window: 'header' });
    expect(Array.from(grey).map((v) => Number(v.toFixed(4)))).toEqual([0, 0, 0.505, 0.985, 1]);
  });

  it('falls back to percentiles when the header has no window, and inverts MONOCHROME1', () => {
    const stored = Int16Array.from({ length: 101 }, (_, i) => i - 50); // percentiles 10/90 -> -40 / 40
    const spec = {
      ...DEFAULT_PREPROCESSING,
      window: 'header' as const,
      percentiles: [10, 90] as [number, number],
    };
    const grey = frameToUnitGrey(stored, mono2(1, 101), spec);
    expect(grey[0]).toBe(0);
    expect(grey[50]).toBeCloseTo(0.5, 6);
    expect(grey[90]).toBe(1);
    const inverted = frameToUnitGrey(stored, mono2(1, 101, { photometric: 'MONOCHROME1' }), spec);
    expect(inverted[0]).toBe(1);
    expect(inverted[100]).toBe(0);
  });

  it('ignores outliers with the default 0.5/99.5 percentile window', () => {
    const stored = new Uint16Array(1000).map((_, i) => i % 100);
    stored[0] = 4095; // one hot pixel
    const grey = frameToUnitGrey(stored, mono2(10, 100), DEFAULT_PREPROCESSING);
    expect(grey[50]).toBeGreaterThan(0.4);
    expect(grey[50]).toBeLessThan(0.6);
  });

  it('turns RGB into BT.601 luma and refuses palette colour with the reason', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 0, 255]);
    const meta = mono2(1, 2, { samplesPerPixel: 3, photometric: 'RGB' });
    const grey = frameToUnitGrey(rgb, meta, DEFAULT_PREPROCESSING);
    expect(grey[0]).toBeCloseTo(0.299, 6);
    expect(grey[1]).toBeCloseTo(0.114, 6);
    expect(() =>
      frameToUnitGrey(
        new Uint8Array(2),
        mono2(1, 2, { photometric: 'PALETTE COLOR' }),
        DEFAULT_PREPROCESSING,
      ),
    ).toThrow(/PALETTE COLOR/);
    expect(() => frameToUnitGrey(new Uint16Array(3), mono2(1, 2), DEFAULT_PREPROCESSING)).toThrow(
      /expected 1x2x1 = 2/,
    );
  });
});

describe('preprocessFrame and preprocessPng8', () => {
  it('produce [3, 448, 448] ImageNet-normalised inputs with grey repeated in every channel', () => {
    const stored = new Uint16Array(64 * 48).map((_, i) => (i % 64) * 10);
    const input = preprocessFrame(stored, mono2(48, 64), DEFAULT_PREPROCESSING);
    expect(input).toHaveLength(3 * 448 * 448);
    const plane = 448 * 448;
    for (const i of [0, 1000, plane - 1]) {
      const grey0 = input[i]! * IMAGENET_STD[0] + IMAGENET_MEAN[0];
      for (let c = 1; c < 3; c++)
        expect(input[c * plane + i]! * IMAGENET_STD[c]! + IMAGENET_MEAN[c]!).toBeCloseTo(grey0, 5);
    }
    // left edge dark, right edge bright after the percentile window
    expect(input[448 * 200]! * IMAGENET_STD[0] + IMAGENET_MEAN[0]).toBeLessThan(0.05);
    expect(input[448 * 200 + 447]! * IMAGENET_STD[0] + IMAGENET_MEAN[0]).toBeGreaterThan(0.95);
  });

  it('map an 8-bit PNG to /255 then ImageNet normalisation at the requested size', () => {
    const white = preprocessPng8(new Uint8Array(20 * 10).fill(255), 20, 10, 32);
    expect(white).toHaveLength(3 * 32 * 32);
    expect(white[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(white[32 * 32]).toBeCloseTo((1 - 0.456) / 0.224, 5);
    expect(white[2 * 32 * 32 + 5]).toBeCloseTo((1 - 0.406) / 0.225, 5);
    expect(() => preprocessPng8(new Uint8Array(5), 2, 2)).toThrow(/expected 2x2/);
  });

  it('resize PNGs with Pillow-exact 8-bit bilinear before scaling, as torchvision does on PIL images', () => {
    const grey = Uint8Array.from({ length: 30 * 20 }, (_, i) => (i * 7) % 256);
    const input = preprocessPng8(grey, 30, 20, 16);
    const resized = resizePil8Bilinear(grey, 20, 30, 16, 16);
    for (let i = 0; i < 256; i++)
      expect(input[256 + i]).toBeCloseTo((resized[i]! / 255 - 0.456) / 0.224, 5);
  });
});
