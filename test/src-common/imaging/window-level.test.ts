import { describe, expect, it } from 'vitest';
import { autoWindow, dragWindow, renderGrey, voiLevel } from '../../../src-common/imaging/window-level';

describe('window/level', () => {
  it('maps the window edges to black and white and its centre to mid-grey (PS3.3 C.11.2.1.2.1)', () => {
    const window = { center: 40, width: 80 };
    expect(voiLevel(-1000, window)).toBe(0);
    expect(voiLevel(0, window)).toBe(0);
    expect(voiLevel(40, window)).toBe(129);
    expect(voiLevel(80, window)).toBe(255);
    expect(voiLevel(3000, window)).toBe(255);
  });

  it('renders CT stored values through rescale and window, and inverts on request', () => {
    // stored 1024 + intercept -1024 = 0 HU; brain window: 0 HU is black, 80 HU white
    const stored = new Uint16Array([1024, 1064, 1104, 0]);
    const out = new Uint8ClampedArray(16);
    renderGrey(stored, { slope: 1, intercept: -1024, window: { center: 40, width: 80 }, invert: false }, out);
    expect([out[0], out[4], out[8], out[12]]).toEqual([0, 129, 255, 0]);
    expect(out[3]).toBe(255);
    renderGrey(stored, { slope: 1, intercept: -1024, window: { center: 40, width: 80 }, invert: true }, out);
    expect([out[0], out[4], out[8], out[12]]).toEqual([255, 126, 0, 255]);
  });

  it('gives the same pixels through its lookup table as through direct evaluation (float input)', () => {
    const ints = Int16Array.from({ length: 500 }, (_, i) => i * 7 - 1500);
    const floats = Float32Array.from(ints);
    const options = { slope: 0.5, intercept: 3, window: { center: 10, width: 300 }, invert: false };
    const a = new Uint8ClampedArray(2000);
    const b = new Uint8ClampedArray(2000);
    renderGrey(ints, options, a);
    renderGrey(floats, options, b);
    expect(a).toEqual(b);
  });

  it('auto window spans the bulk of the values and ignores a few outliers', () => {
    const values = new Uint16Array(10000);
    for (let i = 0; i < values.length; i++) values[i] = 100 + (i % 900);
    values[0] = 60000;
    const window = autoWindow(values, 1, 0);
    expect(window.center - window.width / 2).toBeGreaterThan(90);
    expect(window.center + window.width / 2).toBeLessThan(1100);
  });

  it('drag right widens the window, drag down raises the centre', () => {
    expect(dragWindow({ center: 40, width: 80 }, 10, 5, 2)).toEqual({ center: 50, width: 100 });
    expect(dragWindow({ center: 40, width: 80 }, -100, 0, 2).width).toBe(1);
  });
});
