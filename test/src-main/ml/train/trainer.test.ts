import { describe, expect, it } from 'vitest';
import { parseArConfig } from '../../../../src-main/ml/ar/config';
import type { ArConfigInput } from '../../../../src-main/ml/ar/config';
import { layerMask } from '../../../../src-main/ml/ar/masks';
import type { ArWeights } from '../../../../src-main/ml/ar/weights';
import { NormscopeError } from '../../../../src-main/api/errors';
import { nchwcBlockSize } from '../../../../src-main/ml/onnx/nchwc';
import { createRng } from '../../../../src-main/ml/random';
import type { FeatureSource } from '../../../../src-main/ml/train/batches';
import {
  decodeTrainCheckpoint,
  encodeTrainCheckpoint,
} from '../../../../src-main/ml/train/checkpoint';
import { trainAr } from '../../../../src-main/ml/train/trainer';
import type { TrainCheckpoint } from '../../../../src-main/ml/train/trainer';

const C = 4;
const SIDE = 8;

/**
 * Smooth random fields, [channels, 8, 8]: C independent channels, each a sum
 * of three random plane waves; further channels repeat them at other scales,
 * as backbone features are correlated across channels.
 */
function smoothFields(count: number, seed: number, channels: number): Float32Array[] {
  const rng = createRng(seed);
  const plane = SIDE * SIDE;
  return Array.from({ length: count }, () => {
    const grid = new Float32Array(channels * plane);
    for (let c = 0; c < C; c++)
      for (let wave = 0; wave < 3; wave++) {
        const fy = rng.next() * 0.8;
        const fx = rng.next() * 0.8;
        const phase = rng.next() * 2 * Math.PI;
        const amp = 0.5 + rng.next();
        for (let y = 0; y < SIDE; y++)
          for (let x = 0; x < SIDE; x++)
            grid[(c * SIDE + y) * SIDE + x]! += amp * Math.sin(fy * y + fx * x + phase);
      }
    for (let c = C; c < channels; c++) {
      const scale = 1 + 0.25 * Math.floor(c / C);
      for (let j = 0; j < plane; j++) grid[c * plane + j] = scale * grid[(c % C) * plane + j]!;
    }
    return grid;
  });
}

const smallConfig = (mode: ArConfigInput['mode'], channels: number) =>
  parseArConfig({ mode, inChannels: channels, hidden: 16, layers: 3, dilations: [1, 2] });

function maxAbsDiff(a: ArWeights, b: ArWeights): number {
  let max = 0;
  a.layers.forEach((layer, l) => {
    for (const kind of ['weight', 'bias'] as const) {
      const other = b.layers[l]![kind];
      layer[kind].forEach((v, j) => {
        max = Math.max(max, Math.abs(v - other[j]!));
      });
    }
  });
  return max;
}

/**
 * On the CPU, training runs ONNX Runtime's blocked NCHWc kernels when the
 * block (8 or 16) divides every channel count, and plain NCHW otherwise
 * (onnx/nchwc.ts): 4 feature channels give the one, 16 the other.
 */
describe.each([
  ['plain NCHW', 4],
  ['NCHWc where this CPU has it', 16],
])('trainAr, %s', (_layout, channels) => {
  const train = smoothFields(24, 1, channels);
  const validation = smoothFields(8, 2, channels);
  const small = (mode: ArConfigInput['mode']) => smallConfig(mode, channels);

  it('lowers training and validation loss over a few epochs and keeps masked taps at exactly zero', async () => {
    for (const mode of ['bidirectional', 'causal'] as const) {
      const config = small(mode);
      const epochs: number[] = [];
      const result = await trainAr({
        config,
        features: train,
        validation,
        epochs: 10,
        batchSize: 8,
        lr: 1e-2,
        seed: 5,
        noiseP: 0.5,
        onProgress: (p) => {
          if (p.kind === 'epoch') epochs.push(p.epoch);
        },
      });
      expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // 16 channels divide by any block MLAS has; 4 divide by none
      const block = channels === 16 ? await nchwcBlockSize() : undefined;
      expect(result.runtime).toMatchObject({ provider: 'cpu', nchwcBlock: block ?? null });
      const { trainLoss, valLoss, stepLoss } = result.curves;
      expect(stepLoss).toHaveLength(10 * 3);
      expect(trainLoss.at(-1)!).toBeLessThan(0.5 * trainLoss[0]!);
      expect(valLoss.at(-1)!).toBeLessThan(0.5 * valLoss[0]!);
      result.weights.layers.forEach((layer, l) => {
        const mask = layerMask(config, l);
        layer.weight.forEach((w, j) => {
          if (mask[j % 9] === 0) expect(Math.abs(w)).toBe(0);
        });
      });
    }
  });

  it('ends a run interrupted after an epoch and resumed from its saved checkpoint with the same weights', async () => {
    const config = small('bidirectional');
    const recipe = {
      config,
      features: train,
      epochs: 4,
      batchSize: 8,
      seed: 9,
      noiseP: 0.5,
      warmupSteps: 5,
    };
    const uninterrupted = await trainAr(recipe);

    let saved: Uint8Array | undefined;
    const controller = new AbortController();
    await expect(
      trainAr({
        ...recipe,
        signal: controller.signal,
        checkpoint: (state) => {
          saved = encodeTrainCheckpoint(state);
          if (state.epochsDone === 2) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'Cancelled' });
    const checkpoint = decodeTrainCheckpoint(saved!);
    expect(checkpoint.epochsDone).toBe(2);
    const resumed = await trainAr({ ...recipe, resumeFrom: checkpoint });
    expect(maxAbsDiff(resumed.weights, uninterrupted.weights)).toBe(0);
    expect(resumed.curves.stepLoss).toEqual(uninterrupted.curves.stepLoss);
  });

  it('gives the same weights for the same seed and different ones for another seed', async () => {
    const config = small('standard');
    const run = (seed: number) =>
      trainAr({ config, features: train, epochs: 1, batchSize: 8, seed, noiseP: 1 });
    const [a, b, c] = await Promise.all([run(3), run(3), run(4)]);
    expect(maxAbsDiff(a.weights, b.weights)).toBe(0);
    expect(maxAbsDiff(a.weights, c.weights)).toBeGreaterThan(0);
  });
});

describe('trainAr', () => {
  const train = smoothFields(24, 1, C);
  const small = (mode: ArConfigInput['mode']) => smallConfig(mode, C);

  it('reads a checkpoint back from a Node Buffer that shares a larger pool, as the store returns files', async () => {
    const config = small('bidirectional');
    let saved: Uint8Array | undefined;
    await trainAr({
      config,
      features: train,
      epochs: 1,
      batchSize: 8,
      seed: 2,
      checkpoint: (state) => {
        saved = encodeTrainCheckpoint(state);
      },
    });
    const pool = Buffer.alloc(saved!.length + 4096, 0x7f);
    const inPool = pool.subarray(1000, 1000 + saved!.length);
    inPool.set(saved!);
    const fromBuffer = decodeTrainCheckpoint(inPool);
    const fromCopy = decodeTrainCheckpoint(saved!);
    expect(maxAbsDiff(fromBuffer.weights, fromCopy.weights)).toBe(0);
    expect(maxAbsDiff(fromBuffer.v, fromCopy.v)).toBe(0);
  });

  it('refuses a checkpoint whose header is not one, naming why', () => {
    const header = new TextEncoder().encode(JSON.stringify({ config: { mode: 'sideways' } }));
    const bytes = new Uint8Array(10 + header.length);
    bytes.set(new TextEncoder().encode('NSTC1\n'));
    new DataView(bytes.buffer).setUint32(6, header.length, true);
    bytes.set(header, 10);
    expect(() => decodeTrainCheckpoint(bytes)).toThrow(
      /not a Normscope training checkpoint: bad AR config/,
    );
    expect(() => decodeTrainCheckpoint(new Uint8Array(20))).toThrow(/wrong magic/);
  });

  it('stops on a NaN loss with a clear error and writes no checkpoint for the failing epoch', async () => {
    const config = small('bidirectional');
    let reads = 0;
    const poisoned: FeatureSource = {
      count: train.length,
      get: (index) => {
        reads += 1;
        // trainAr reads grid 0 once to learn the grid size; after that, the second epoch reads grids with a NaN
        return reads > train.length + 1
          ? train[index]!.map((v, j) => (j === 0 ? Number.NaN : v))
          : train[index]!;
      },
    };
    const checkpoints: TrainCheckpoint[] = [];
    const error = await trainAr({
      config,
      features: poisoned,
      epochs: 3,
      batchSize: 8,
      seed: 1,
      checkpoint: (state) => {
        checkpoints.push(state);
      },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NormscopeError);
    expect((error as NormscopeError).name).toBe('Refused');
    expect((error as NormscopeError).message).toMatch(/loss is NaN at epoch 2/);
    expect(checkpoints.map((s) => s.epochsDone)).toEqual([1]);
  });

  it('refuses to resume a checkpoint made with another recipe', async () => {
    const config = small('bidirectional');
    const first = await trainAr({ config, features: train, epochs: 1, batchSize: 8, seed: 2 });
    await expect(
      trainAr({
        config,
        features: train,
        epochs: 2,
        batchSize: 8,
        seed: 3,
        resumeFrom: first.state,
      }),
    ).rejects.toMatchObject({ name: 'Conflict' });
  });
});
