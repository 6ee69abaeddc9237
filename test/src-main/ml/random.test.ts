import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/ml/random';

describe('createRng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 8 }, () => a.next());
    const sb = Array.from({ length: 8 }, () => b.next());
    const sc = Array.from({ length: 8 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('draws uniforms in [0,1) with the right mean and normals with mean 0 and sd 1', () => {
    const rng = createRng(7);
    const n = 200_000;
    let sumU = 0;
    let sumN = 0;
    let sumN2 = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sumU += u;
      const z = rng.normal();
      sumN += z;
      sumN2 += z * z;
    }
    expect(sumU / n).toBeCloseTo(0.5, 2);
    expect(sumN / n).toBeCloseTo(0, 1);
    expect(Math.sqrt(sumN2 / n)).toBeCloseTo(1, 1);
  });

  it('fills arrays with exactly the normals that one normal() call per value would give, whatever the split', () => {
    const one = createRng(5);
    const bulk = createRng(5);
    const expected = Array.from({ length: 1001 }, () => one.normal());
    const filled = new Float64Array(1001);
    // odd bounds leave a pair's second value over for the next call, as normal() keeps it
    bulk.fillNormal(filled, 0, 3);
    filled[3] = bulk.normal();
    bulk.fillNormal(filled, 4, 4);
    bulk.fillNormal(filled, 4, 500);
    bulk.fillNormal(filled, 500);
    expect(Array.from(filled)).toEqual(expected);
    // and the generators stay in step afterwards, uniforms included
    expect([bulk.normal(), bulk.next()]).toEqual([one.normal(), one.next()]);
  });

  it('draws every integer below n and none outside', () => {
    const rng = createRng(1);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[rng.int(5)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(() => rng.int(0)).toThrow(/positive integer/);
  });
});
