import { afterAll, describe, expect, it } from 'vitest';
import { parseArConfig } from '../../../../src-main/ml/ar/config';
import type { ArConfig, ArConfigInput } from '../../../../src-main/ml/ar/config';
import { layerMask } from '../../../../src-main/ml/ar/masks';
import { initArWeights } from '../../../../src-main/ml/ar/weights';
import type { ArWeights } from '../../../../src-main/ml/ar/weights';
import { NCHWC_DOMAIN, nchwcBlockSize } from '../../../../src-main/ml/onnx/nchwc';
import { decodeModel } from '../../../../src-main/ml/onnx/proto';
import { closeSession, createSession, runFloat32 } from '../../../../src-main/ml/onnx/session';
import type { FloatTensor, OnnxSession } from '../../../../src-main/ml/onnx/session';
import { createRng } from '../../../../src-main/ml/random';
import {
  ADAMW_BC2_SQRT,
  ADAMW_DECAY,
  ADAMW_STEP_SIZE,
  adamWScalars,
  buildAdamWGraph,
  buildArGradGraph,
  buildArLossGraph,
  gradName,
  paramName,
  paramShape,
  SAMPLE_SSE,
  TRAIN_INPUT,
  TRAIN_LOSS,
  TRAIN_TARGET,
  updatedName,
} from '../../../../src-main/ml/train/graphs';
import type { TrainGraphOptions } from '../../../../src-main/ml/train/graphs';
import {
  referenceAdamWStep,
  referenceBackward,
  referenceForward,
  referenceMseLoss,
  referenceNetOf,
} from '../../../../src-main/ml/train/reference';

const grid = { batch: 2, height: 5, width: 5 };
const blockSize = await nchwcBlockSize();
const sessions: OnnxSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map(closeSession));
});

/** Rotates every [H, W] plane of a [B, C, H, W] array by 180 degrees (what a flipped model reads). */
function flip(x: Float32Array): Float32Array {
  const plane = grid.height * grid.width;
  const out = new Float32Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const base = j - (j % plane);
    out[base + plane - 1 - (j % plane)] = x[j] as number;
  }
  return out;
}

const cases: [string, ArConfigInput][] = [
  [
    'bidirectional, dilations [1, 2]',
    { mode: 'bidirectional', inChannels: 3, hidden: 4, layers: 3, dilations: [1, 2] },
  ],
  ['causal, dilation 2', { mode: 'causal', inChannels: 3, hidden: 4, layers: 3, dilations: [2] }],
  [
    'causal flipped, dilations [2, 1]',
    { mode: 'causal', flipped: true, inChannels: 3, hidden: 4, layers: 3, dilations: [2, 1] },
  ],
  [
    'standard, dilation 1',
    { mode: 'standard', inChannels: 3, hidden: 4, layers: 3, dilations: [1] },
  ],
];

/** Sum of squared values per sample of a [B, ...] array: the plain-layout reference for the loss graph. */
function sampleSse(prediction: Float64Array, target: Float64Array, batch: number): number[] {
  const per = prediction.length / batch;
  return Array.from({ length: batch }, (_, n) => {
    let sum = 0;
    for (let j = n * per; j < (n + 1) * per; j++) sum += (prediction[j]! - target[j]!) ** 2;
    return sum;
  });
}

function randomGrids(config: ArConfig): { x: Float32Array; t: Float32Array; dims: number[] } {
  const rng = createRng(17);
  const size = grid.batch * config.inChannels * grid.height * grid.width;
  return {
    x: Float32Array.from({ length: size }, () => rng.normal()),
    t: Float32Array.from({ length: size }, () => rng.normal()),
    dims: [grid.batch, config.inChannels, grid.height, grid.width],
  };
}

function paramFeeds(config: ArConfig, weights: ArWeights): Record<string, FloatTensor> {
  const feeds: Record<string, FloatTensor> = {};
  weights.layers.forEach((w, l) => {
    feeds[paramName(l, 'weight')] = { data: w.weight, dims: paramShape(config, l, 'weight') };
    feeds[paramName(l, 'bias')] = { data: w.bias, dims: paramShape(config, l, 'bias') };
  });
  return feeds;
}

async function session(bytes: Uint8Array): Promise<OnnxSession> {
  const created = await createSession(bytes, { providers: ['cpu'] });
  sessions.push(created);
  return created;
}

/**
 * Runs the gradient graph of `config` and checks every gradient against the
 * float64 analytic reference, and every `fdEvery`-th entry of each parameter
 * against central finite differences of the float64 loss.
 */
async function expectGradientsMatch(
  config: ArConfig,
  options: TrainGraphOptions,
  fdEvery: number,
): Promise<void> {
  const weights = initArWeights(config, 3);
  const { x, t, dims } = randomGrids(config);
  const out = await runFloat32(await session(buildArGradGraph(config, options)), {
    [TRAIN_INPUT]: { data: x, dims },
    [TRAIN_TARGET]: { data: t, dims },
    ...paramFeeds(config, weights),
  });

  const { layers, params } = referenceNetOf(config, weights);
  const rx = Float64Array.from(config.flipped ? flip(x) : x);
  const rt = Float64Array.from(config.flipped ? flip(t) : t);
  const lossOf = (): number =>
    referenceMseLoss(referenceForward(layers, params, rx, grid).output, rt);
  const analytic = referenceBackward(
    layers,
    params,
    referenceForward(layers, params, rx, grid),
    rt,
    grid,
  );
  expect(out[TRAIN_LOSS]?.data[0]).toBeCloseTo(lossOf(), 5);

  const h = 1e-5;
  params.forEach((p, l) => {
    for (const kind of ['weight', 'bias'] as const) {
      const onnxGrad = out[gradName(l, kind)]?.data as Float32Array;
      const ref = analytic[l]?.[kind] as Float64Array;
      const mask = layerMask(config, l);
      for (let j = 0; j < ref.length; j++) {
        const g = onnxGrad[j] as number;
        const r = ref[j] as number;
        // float32 sums of at most a few thousand terms: ~1e-6 relative; 1e-4 leaves a wide margin yet catches any wrong tap
        expect(Math.abs(g - r)).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(r));
        if (kind === 'weight' && mask[j % (config.kernel * config.kernel)] === 0) expect(g).toBe(0);
        if (j % fdEvery !== 0) continue;
        const keep = p[kind][j] as number;
        p[kind][j] = keep + h;
        const up = lossOf();
        p[kind][j] = keep - h;
        const down = lossOf();
        p[kind][j] = keep;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(g - fd)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(fd));
      }
    }
  });
}

describe('AR gradient graph', () => {
  it.each(cases)(
    'matches the float64 reference and its finite differences (%s)',
    async (_name, input) => {
      await expectGradientsMatch(parseArConfig(input), {}, 1);
    },
  );
});

/**
 * The same graphs in ONNX Runtime's blocked NCHWc layout, which training uses
 * on the CPU (onnx/nchwc.ts). Channel counts are multiples of 16 so that any
 * block size MLAS has (8 or 16) divides them. Finite differences are checked
 * on a sample of entries: the float64 reference they validate is the one the
 * plain cases above check entry by entry.
 */
describe.runIf(blockSize !== undefined)("AR training graphs in ONNX Runtime's NCHWc layout", () => {
  const blocked: [string, ArConfigInput][] = cases.map(([name, input]) => [
    name,
    { ...input, inChannels: 16, hidden: 32 },
  ]);

  it.each(blocked)(
    'run on the blocked kernels and match the reference and finite differences (%s)',
    async (_name, input) => {
      const config = parseArConfig(input);
      const bytes = buildArGradGraph(config, { nchwcBlock: blockSize });
      expect((decodeModel(bytes).graph?.node ?? []).some((n) => n.domain === NCHWC_DOMAIN)).toBe(
        true,
      );
      await expectGradientsMatch(config, { nchwcBlock: blockSize }, 97);
    },
  );

  it('give the same per-sample validation loss as the plain layout', async () => {
    const config = parseArConfig({ ...blocked[2]![1] });
    const weights = initArWeights(config, 4);
    const { x, dims } = randomGrids(config);
    const feeds = { [TRAIN_INPUT]: { data: x, dims }, ...paramFeeds(config, weights) };
    const out = await runFloat32(
      await session(buildArLossGraph(config, { nchwcBlock: blockSize })),
      feeds,
    );
    const { layers, params } = referenceNetOf(config, weights);
    const rx = Float64Array.from(flip(x));
    const expected = sampleSse(referenceForward(layers, params, rx, grid).output, rx, grid.batch);
    Array.from(out[SAMPLE_SSE]!.data).forEach((sse, n) => {
      expect(Math.abs(sse - expected[n]!)).toBeLessThanOrEqual(1e-5 * expected[n]!);
    });
  });

  it('leave a model whose channels the block does not divide in plain NCHW', () => {
    const config = parseArConfig(cases[0]![1]);
    const bytes = buildArGradGraph(config, { nchwcBlock: blockSize });
    expect((decodeModel(bytes).graph?.node ?? []).some((n) => n.domain === NCHWC_DOMAIN)).toBe(
      false,
    );
  });
});

describe('AdamW graph', () => {
  it('matches torch-style AdamW in float64 on the same float32 inputs, over three steps', async () => {
    const n = 1000;
    const constants = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const session = await createSession(buildAdamWGraph(n, constants), { providers: ['cpu'] });
    sessions.push(session);
    const rng = createRng(99);
    let p: Float32Array = Float32Array.from({ length: n }, () => rng.normal() * 0.1);
    let m: Float32Array = new Float32Array(n);
    let v: Float32Array = new Float32Array(n);
    for (let step = 1; step <= 3; step++) {
      const grad = Float32Array.from(
        { length: n },
        (_, j) => rng.normal() * (j % 10 === 0 ? 1e-6 : 0.01),
      );
      const lr = 1e-3;
      const weightDecay = 0.01;
      const s = adamWScalars(lr, weightDecay, step, constants);
      const out = await runFloat32(session, {
        param: { data: p, dims: [n] },
        m: { data: m, dims: [n] },
        v: { data: v, dims: [n] },
        grad: { data: grad, dims: [n] },
        [ADAMW_DECAY]: { data: Float32Array.of(s.decay), dims: [] },
        [ADAMW_STEP_SIZE]: { data: Float32Array.of(s.stepSize), dims: [] },
        [ADAMW_BC2_SQRT]: { data: Float32Array.of(s.bc2Sqrt), dims: [] },
      });
      const rp = Float64Array.from(p);
      const rm = Float64Array.from(m);
      const rv = Float64Array.from(v);
      referenceAdamWStep(rp, grad, rm, rv, step, { lr, weightDecay, ...constants });
      const gp = out[updatedName('param')]?.data as Float32Array;
      const gm = out[updatedName('m')]?.data as Float32Array;
      const gv = out[updatedName('v')]?.data as Float32Array;
      for (let j = 0; j < n; j++) {
        // Relative to the terms each result is formed from: p - update and beta*m + (1-beta)*g may cancel,
        // and a float32 result cannot be closer than float32 rounding (6e-8) of those terms.
        const decayed = (p[j] as number) * s.decay;
        const update = Math.abs(decayed - (rp[j] as number));
        expect(Math.abs((gp[j] as number) - (rp[j] as number))).toBeLessThanOrEqual(
          1e-6 * (Math.abs(decayed) + update),
        );
        const mScale = 0.9 * Math.abs(m[j] as number) + 0.1 * Math.abs(grad[j] as number);
        expect(Math.abs((gm[j] as number) - (rm[j] as number))).toBeLessThanOrEqual(1e-6 * mScale);
        expect(Math.abs((gv[j] as number) - (rv[j] as number))).toBeLessThanOrEqual(
          1e-6 * (rv[j] as number),
        );
      }
      p = gp;
      m = gm;
      v = gv;
    }
  });
});
