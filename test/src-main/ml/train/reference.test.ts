import { describe, expect, it } from 'vitest';
import { parseArConfig } from '../../../../src-main/ml/ar/config';
import { arReferenceForward } from '../../../../src-main/ml/ar/reference';
import { initArWeights } from '../../../../src-main/ml/ar/weights';
import { createRng } from '../../../../src-main/ml/random';
import {
  referenceAdamWStep,
  referenceBackward,
  referenceForward,
  referenceMseLoss,
  referenceNetOf,
  type RefConvLayer,
  type RefConvParams,
} from '../../../../src-main/ml/train/reference';

const grid = { batch: 2, height: 5, width: 5 };
const centreBlocked = [1, 1, 1, 1, 0, 1, 1, 1, 1];
const causalA = [1, 1, 1, 1, 0, 0, 0, 0, 0];

function tinyNet(mask: number[] | undefined, dilations: number[]): RefConvLayer[] {
  const chans = [3, 4, 4, 3];
  return dilations.map((d, l) => ({
    inChannels: chans[l] as number,
    outChannels: chans[l + 1] as number,
    kernel: 3,
    dilation: d,
    ...(l === 0 && mask ? { mask } : {}),
  }));
}

function randomParams(layers: RefConvLayer[], seed: number): RefConvParams[] {
  const rng = createRng(seed);
  return layers.map((l) => ({
    weight: Float64Array.from(
      { length: l.outChannels * l.inChannels * 9 },
      () => rng.normal() * 0.4,
    ),
    bias: Float64Array.from({ length: l.outChannels }, () => rng.normal() * 0.1),
  }));
}

function lossOf(
  layers: RefConvLayer[],
  params: RefConvParams[],
  x: Float64Array,
  t: Float64Array,
): number {
  return referenceMseLoss(referenceForward(layers, params, x, grid).output, t);
}

describe('reference backward', () => {
  it.each([
    ['bidirectional, dilation 2', centreBlocked, [1, 2, 2]],
    ['causal type A, dilation 1', causalA, [1, 1, 1]],
    ['unmasked', undefined, [2, 1, 2]],
  ] as const)('matches central finite differences (%s)', (_name, mask, dilations) => {
    const layers = tinyNet(mask ? [...mask] : undefined, [...dilations]);
    const params = randomParams(layers, 11);
    const rng = createRng(5);
    const x = Float64Array.from({ length: 2 * 3 * 25 }, () => rng.normal());
    const t = Float64Array.from({ length: 2 * 3 * 25 }, () => rng.normal());
    const grads = referenceBackward(
      layers,
      params,
      referenceForward(layers, params, x, grid),
      t,
      grid,
    );
    const h = 1e-6;
    params.forEach((p, l) => {
      for (const key of ['weight', 'bias'] as const) {
        const values = p[key];
        for (let j = 0; j < values.length; j++) {
          const keep = values[j] as number;
          values[j] = keep + h;
          const up = lossOf(layers, params, x, t);
          values[j] = keep - h;
          const down = lossOf(layers, params, x, t);
          values[j] = keep;
          const fd = (up - down) / (2 * h);
          expect(Math.abs((grads[l]?.[key][j] as number) - fd)).toBeLessThan(
            1e-7 + 1e-5 * Math.abs(fd),
          );
        }
      }
    });
    if (mask) {
      const g0 = grads[0]?.weight as Float64Array;
      g0.forEach((g, j) => {
        if (mask[j % 9] === 0) expect(g).toBe(0);
      });
    }
  });
});

describe('reference forward', () => {
  it.each(['bidirectional', 'causal', 'standard'] as const)(
    'predicts what the AR model reference predicts (%s)',
    (mode) => {
      const config = parseArConfig({
        mode,
        inChannels: 3,
        hidden: 5,
        layers: 3,
        dilations: [2, 1],
      });
      const weights = initArWeights(config, 4);
      const { layers, params } = referenceNetOf(config, weights);
      const rng = createRng(8);
      const x = Float64Array.from({ length: 3 * 25 }, () => rng.normal());
      const ours = referenceForward(layers, params, x, { batch: 1, height: 5, width: 5 }).output;
      const theirs = arReferenceForward(config, weights, x, 5, 5);
      ours.forEach((v, j) => expect(v).toBeCloseTo(theirs[j] as number, 12));
    },
  );
});

describe('reference AdamW', () => {
  it('takes a first step of lr * sign(grad) after decoupled weight decay', () => {
    const p = Float64Array.from([1, -2, 0.5]);
    const m = new Float64Array(3);
    const v = new Float64Array(3);
    referenceAdamWStep(p, [0.3, -0.01, 2], m, v, 1, {
      lr: 0.1,
      beta1: 0.9,
      beta2: 0.999,
      eps: 0,
      weightDecay: 0.01,
    });
    expect(p[0]).toBeCloseTo(1 * (1 - 0.001) - 0.1, 12);
    expect(p[1]).toBeCloseTo(-2 * (1 - 0.001) + 0.1, 12);
    expect(p[2]).toBeCloseTo(0.5 * (1 - 0.001) - 0.1, 12);
  });
});
