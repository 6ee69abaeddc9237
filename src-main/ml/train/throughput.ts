/**
 * Training throughput against scoring cost (issue 5's benchmark): the time of
 * one fused training step and of one forward pass of the scoring graph on the
 * same batch, so `npm run bench` can report image-steps per second and the
 * step / forward ratio (goal: at most 3.5).
 */
import { buildArAnomalyMapGraph, AR_INPUT } from '../ar/graph';
import type { ArConfig } from '../ar/config';
import { initArWeights, maskArWeights } from '../ar/weights';
import { nchwcBlockForSessions } from '../onnx/nchwc';
import { closeSession, createSession, runFloat32 } from '../onnx/session';
import type { FloatTensor, SessionSettings } from '../onnx/session';
import { createRng } from '../random';
import {
  ADAMW_BC2_SQRT,
  ADAMW_DECAY,
  ADAMW_STEP_SIZE,
  adamWScalars,
  buildArTrainStepGraph,
  momentName,
  paramName,
  paramShape,
  TRAIN_INPUT,
  TRAIN_TARGET,
} from './graphs';

export interface TrainThroughput {
  batch: number;
  /** Median wall time of one training step (forward, backward, AdamW), ms. */
  stepMs: number;
  /** Median wall time of one forward pass of the scoring graph (the anomaly map, as the engine runs it) on the same batch, ms. */
  forwardMs: number;
  imageStepsPerSecond: number;
  /** stepMs / forwardMs. */
  ratio: number;
  /** Median process CPU time (user + system, all threads) of a step and of a forward pass, ms: less sensitive than wall time to other processes sharing the cores. */
  stepCpuMs: number;
  forwardCpuMs: number;
  /** stepCpuMs / forwardCpuMs. */
  cpuRatio: number;
  /** NCHWc block size of the step graph (graphs.ts TrainGraphOptions), or undefined when it runs in plain NCHW. */
  nchwcBlock: number | undefined;
  /** With a block: median wall time of the same step built in plain NCHW, ms, to show what the blocked layout saves. */
  plainStepMs?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall and CPU times (ms) of `runs`, interleaved so that all see the same machine load. */
async function timeInterleaved(
  runs: readonly (() => Promise<unknown>)[],
  repeats: number,
): Promise<{ wall: number; cpu: number }[]> {
  for (const run of runs) await run(); // the first run allocates and pre-packs
  const wall = runs.map(() => [] as number[]);
  const cpu = runs.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < runs.length; k++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await runs[k]!();
      const used = process.cpuUsage(cpuStart);
      wall[k]!.push(performance.now() - start);
      cpu[k]!.push((used.user + used.system) / 1000);
    }
  }
  return runs.map((_, k) => ({ wall: median(wall[k]!), cpu: median(cpu[k]!) }));
}

/** Measures `config` on random [batch, C, height, width] grids; weights from initArWeights(config, 0). */
export async function measureTrainThroughput(
  config: ArConfig,
  grid: { batch: number; height: number; width: number },
  options: { repeats?: number; session?: SessionSettings } = {},
): Promise<TrainThroughput> {
  const repeats = options.repeats ?? 5;
  const weights = maskArWeights(config, initArWeights(config, 0));
  const rng = createRng(1);
  const dims = [grid.batch, config.inChannels, grid.height, grid.width];
  const features = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () =>
    rng.normal(),
  );

  const forward = await createSession(
    buildArAnomalyMapGraph([{ config, weights }]),
    options.session,
  );
  const constants = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const nchwcBlock = await nchwcBlockForSessions(options.session);
  const step = await createSession(
    buildArTrainStepGraph(config, constants, { nchwcBlock }),
    options.session,
  );
  const plainStep =
    nchwcBlock === undefined
      ? undefined
      : await createSession(buildArTrainStepGraph(config, constants), options.session);
  try {
    const s = adamWScalars(1e-3, 0.01, 1, constants);
    const feeds: Record<string, FloatTensor> = {
      [TRAIN_INPUT]: { data: features, dims },
      [TRAIN_TARGET]: { data: features, dims },
      [ADAMW_DECAY]: { data: Float32Array.of(s.decay), dims: [] },
      [ADAMW_STEP_SIZE]: { data: Float32Array.of(s.stepSize), dims: [] },
      [ADAMW_BC2_SQRT]: { data: Float32Array.of(s.bc2Sqrt), dims: [] },
    };
    weights.layers.forEach((layer, l) => {
      for (const kind of ['weight', 'bias'] as const) {
        const shape = paramShape(config, l, kind);
        feeds[paramName(l, kind)] = { data: layer[kind], dims: shape };
        feeds[momentName('m', l, kind)] = {
          data: new Float32Array(layer[kind].length),
          dims: shape,
        };
        feeds[momentName('v', l, kind)] = {
          data: new Float32Array(layer[kind].length),
          dims: shape,
        };
      }
    });
    const [forwardTimes, stepTimes, plainStepTimes] = await timeInterleaved(
      [
        () => runFloat32(forward, { [AR_INPUT]: { data: features, dims } }),
        () => runFloat32(step, feeds),
        ...(plainStep ? [() => runFloat32(plainStep, feeds)] : []),
      ],
      repeats,
    );
    const { wall: forwardMs, cpu: forwardCpuMs } = forwardTimes!;
    const { wall: stepMs, cpu: stepCpuMs } = stepTimes!;
    return {
      batch: grid.batch,
      stepMs,
      forwardMs,
      imageStepsPerSecond: (1000 * grid.batch) / stepMs,
      ratio: stepMs / forwardMs,
      stepCpuMs,
      forwardCpuMs,
      cpuRatio: stepCpuMs / forwardCpuMs,
      nchwcBlock,
      plainStepMs: plainStepTimes?.wall,
    };
  } finally {
    await closeSession(forward);
    await closeSession(step);
    if (plainStep) await closeSession(plainStep);
  }
}
