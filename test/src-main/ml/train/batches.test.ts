import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../src-main/ml/random';
import { addChannelNoise, epochRng, shuffledOrder } from '../../../../src-main/ml/train/batches';

describe('addChannelNoise', () => {
  it('adds noise of scale x each sample-channel spatial std, leaving the batch it was given untouched', async () => {
    const plane = 4096;
    const rng = createRng(1);
    // two samples x two channels with spatial std 1, 5, 0.2, 10
    const sds = [1, 5, 0.2, 10];
    const batch = new Float32Array(4 * plane);
    sds.forEach((sd, k) => {
      for (let j = 0; j < plane; j++) batch[k * plane + j] = 3 + sd * rng.normal();
    });
    const before = batch.slice();
    const noisy = await addChannelNoise(batch, 2, plane, 0.03, createRng(2));
    expect(batch).toEqual(before);
    sds.forEach((sd, k) => {
      let squares = 0;
      for (let j = 0; j < plane; j++)
        squares += ((noisy[k * plane + j] as number) - (batch[k * plane + j] as number)) ** 2;
      const noiseSd = Math.sqrt(squares / plane);
      expect(noiseSd / (0.03 * sd)).toBeGreaterThan(0.93);
      expect(noiseSd / (0.03 * sd)).toBeLessThan(1.07);
    });
  });

  it('lets other work run between grids and draws the same noise as one grid at a time', async () => {
    const plane = 64;
    const rng = createRng(3);
    const batch = Float32Array.from({ length: 3 * 2 * plane }, () => rng.normal());
    // queued before the call: it runs before the noise is done only if the noising yields on the way
    let ranMeanwhile = false;
    setImmediate(() => {
      ranMeanwhile = true;
    });
    const wholeBatch = await addChannelNoise(batch, 2, plane, 0.5, createRng(4));
    expect(ranMeanwhile).toBe(true);
    const oneByOne = createRng(4);
    const grids: number[] = [];
    for (let g = 0; g < 3; g++) {
      const grid = batch.subarray(g * 2 * plane, (g + 1) * 2 * plane);
      grids.push(...(await addChannelNoise(grid, 2, plane, 0.5, oneByOne)));
    }
    expect(Array.from(wholeBatch)).toEqual(grids);
  });
});

describe('epoch order', () => {
  it('is a permutation fixed by (seed, epoch) and differs between epochs', () => {
    const a = shuffledOrder(50, epochRng(7, 3));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffledOrder(50, epochRng(7, 3))).toEqual(a);
    expect(shuffledOrder(50, epochRng(7, 4))).not.toEqual(a);
    expect(shuffledOrder(50, epochRng(8, 3))).not.toEqual(a);
  });
});
