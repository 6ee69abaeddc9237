import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeatureSpool } from '../../../src-main/evaluate/feature-spool';
import { roundToFloat16 } from '../../../src-main/ml/float16';

describe('FeatureSpool', () => {
  it('gives back each grid at float16 precision, in any order, and deletes its file on close', () => {
    const spool = new FeatureSpool(4);
    const a = Float32Array.of(0.1, -2.5, 1000.3, 0);
    const b = Float32Array.of(3, 4, 5, 6);
    expect(spool.append(a)).toBe(0);
    expect(spool.append(b)).toBe(1);
    expect(Array.from(spool.get(1))).toEqual([3, 4, 5, 6]);
    expect(Array.from(spool.get(0))).toEqual(Array.from(a, roundToFloat16));
    const file = (spool as unknown as { dir: string }).dir;
    expect(existsSync(file)).toBe(true);
    spool.close();
    expect(existsSync(file)).toBe(false);
    expect(() => spool.get(0)).toThrow(/after close/);
  });

  it('refuses a grid of the wrong size and an index it does not hold', () => {
    const spool = new FeatureSpool(2);
    try {
      expect(() => spool.append(new Float32Array(3))).toThrow(
        /3 values, the spool holds grids of 2/,
      );
      expect(() => spool.get(0)).toThrow(RangeError);
    } finally {
      spool.close();
    }
  });
});
