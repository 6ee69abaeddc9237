/**
 * Trains the AR model in ONNX Runtime (issue 5): one fused graph per step does
 * forward, backward and the AdamW update (graphs.ts); this module feeds it
 * seeded, shuffled, optionally noised batches, validates after each epoch,
 * checkpoints at epoch boundaries and resumes from a checkpoint to exactly the
 * weights an uninterrupted run would reach.
 */
import { NormscopeError } from '../../api/errors';
import { initArWeights, maskArWeights, checkArWeights } from '../ar/weights';
import type { ArWeights } from '../ar/weights';
import type { ArConfig } from '../ar/config';
import { nchwcBlockForSessions } from '../onnx/nchwc';
import { closeSession, createSession, runFloat32 } from '../onnx/session';
import type { FloatTensor, OnnxSession, ProviderName, SessionSettings } from '../onnx/session';
import {
  addChannelNoise,
  asFeatureSource,
  assembleBatch,
  epochRng,
  shuffledOrder,
} from './batches';
import type { FeatureSource } from './batches';
import {
  ADAMW_BC2_SQRT,
  ADAMW_DECAY,
  ADAMW_STEP_SIZE,
  adamWScalars,
  buildArLossGraph,
  buildArTrainStepGraph,
  graphBlock,
  momentName,
  paramName,
  paramShape,
  SAMPLE_SSE,
  TRAIN_INPUT,
  TRAIN_LOSS,
  TRAIN_TARGET,
  updatedName,
} from './graphs';
import type { ParamKind } from './graphs';
import { learningRateAt, parseTrainRecipe } from './recipe';
import type { TrainRecipe, TrainRecipeInput } from './recipe';

export interface TrainCurves {
  /** Mean training loss of each epoch (noised inputs included, as the optimiser saw them). */
  trainLoss: number[];
  /** Validation MSE after each epoch; empty without validation data. */
  valLoss: number[];
  /** Loss of every step, in order. */
  stepLoss: number[];
}

/**
 * Everything a run needs to continue after its last completed epoch. The random
 * state is (recipe.seed, epochsDone): each epoch's generator is derived from them.
 */
export interface TrainCheckpoint {
  config: ArConfig;
  recipe: TrainRecipe;
  /** Number of training grids the run was started on: resuming on other data is refused. */
  trainCount: number;
  epochsDone: number;
  /** Optimiser steps done (AdamW's t). */
  step: number;
  weights: ArWeights;
  /** Adam first and second moments, shaped like the weights. */
  m: ArWeights;
  v: ArWeights;
  curves: TrainCurves;
}

export interface TrainProgress {
  kind: 'step' | 'epoch';
  /** 1-based epoch this event belongs to. */
  epoch: number;
  epochs: number;
  /** Optimiser steps done so far. */
  step: number;
  totalSteps: number;
  /** 'step': this step's loss; 'epoch': the epoch's mean training loss. */
  loss: number;
  /** 'epoch' events with validation data only. */
  valLoss?: number;
}

export interface TrainArOptions extends TrainRecipeInput {
  config: ArConfig;
  /** Training grids, each [C, H, W] float32 with C = config.inChannels. */
  features: readonly Float32Array[] | FeatureSource;
  /** Grid size; default: square, from the first grid's length. */
  grid?: { height: number; width: number };
  validation?: readonly Float32Array[] | FeatureSource;
  /** Starting weights (e.g. fine-tuning); default initArWeights(config, seed). Masked taps are zeroed either way. */
  initialWeights?: ArWeights;
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** Called after every epoch with the state to keep; a NaN loss never produces one. */
  checkpoint?: (state: TrainCheckpoint) => void | Promise<void>;
  resumeFrom?: TrainCheckpoint;
  session?: SessionSettings;
}

/** What ran the training graphs: same-seed runs are bit-identical only on the same runtime, provider and layout. */
export interface TrainRuntime {
  onnxRuntime: string;
  provider: ProviderName;
  /** NCHWc block of the step graph (graphs.ts TrainGraphOptions), null in plain NCHW. */
  nchwcBlock: number | null;
}

export interface TrainArResult {
  weights: ArWeights;
  curves: TrainCurves;
  /** The final state (what the last checkpoint call received). */
  state: TrainCheckpoint;
  runtime: TrainRuntime;
}

type Params = Map<string, Float32Array>;

const KINDS: readonly ParamKind[] = ['weight', 'bias'];

function toParams(weights: ArWeights, prefix: (name: string) => string): [string, Float32Array][] {
  const params: [string, Float32Array][] = [];
  weights.layers.forEach((layer, l) => {
    for (const kind of KINDS) params.push([prefix(paramName(l, kind)), layer[kind]]);
  });
  return params;
}

function fromParams(
  config: ArConfig,
  params: ReadonlyMap<string, Float32Array>,
  prefix: (name: string) => string,
): ArWeights {
  return {
    layers: Array.from({ length: config.layers }, (_, l) => ({
      weight: params.get(prefix(paramName(l, 'weight')))!.slice(),
      bias: params.get(prefix(paramName(l, 'bias')))!.slice(),
    })),
  };
}

function zerosLike(weights: ArWeights): ArWeights {
  return {
    layers: weights.layers.map((l) => ({
      weight: new Float32Array(l.weight.length),
      bias: new Float32Array(l.bias.length),
    })),
  };
}

function gridOf(
  options: TrainArOptions,
  firstLength: number,
  channels: number,
): { height: number; width: number } {
  if (options.grid) return options.grid;
  const side = Math.round(Math.sqrt(firstLength / channels));
  if (side * side * channels !== firstLength) {
    throw new NormscopeError(
      'InvalidRequest',
      `a feature grid of ${firstLength} values is not square with ${channels} channels; pass the grid size`,
    );
  }
  return { height: side, width: side };
}

function checkResumable(
  state: TrainCheckpoint,
  config: ArConfig,
  recipe: TrainRecipe,
  trainCount: number,
): void {
  const mismatch =
    JSON.stringify(state.config) !== JSON.stringify(config)
      ? 'model config'
      : JSON.stringify(state.recipe) !== JSON.stringify(recipe)
        ? 'training recipe'
        : state.trainCount !== trainCount
          ? `training set (${state.trainCount} grids then, ${trainCount} now)`
          : undefined;
  if (mismatch)
    throw new NormscopeError(
      'Conflict',
      `cannot resume: the checkpoint was made with another ${mismatch}`,
    );
  checkArWeights(config, state.weights);
}

function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new NormscopeError('Cancelled', `training cancelled ${where}`);
}

/** Feeds of every parameter-shaped tensor in `tensors`, shaped as in `shapes`. */
function tensorFeeds(
  tensors: Params,
  shapes: ReadonlyMap<string, number[]>,
): Record<string, FloatTensor> {
  const feeds: Record<string, FloatTensor> = {};
  for (const [name, data] of tensors) feeds[name] = { data, dims: shapes.get(name)! };
  return feeds;
}

/** Shapes of every parameter and moment input, by input name. */
function inputShapes(config: ArConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (let l = 0; l < config.layers; l++)
    for (const kind of KINDS) {
      const shape = paramShape(config, l, kind);
      shapes.set(paramName(l, kind), shape);
      shapes.set(momentName('m', l, kind), shape);
      shapes.set(momentName('v', l, kind), shape);
    }
  return shapes;
}

interface GridDims {
  channels: number;
  height: number;
  width: number;
}

/** Mean squared error of the model on `source`, without noise, in batches of `batchSize`. */
async function validationLoss(
  session: OnnxSession,
  feeds: Record<string, FloatTensor>,
  source: FeatureSource,
  dims: GridDims,
  batchSize: number,
): Promise<number> {
  const gridSize = dims.channels * dims.height * dims.width;
  let sse = 0;
  for (let start = 0; start < source.count; start += batchSize) {
    const indices = Array.from(
      { length: Math.min(batchSize, source.count - start) },
      (_, k) => start + k,
    );
    const batch = await assembleBatch(source, indices, gridSize);
    const out = await runFloat32(session, {
      ...feeds,
      [TRAIN_INPUT]: {
        data: batch,
        dims: [indices.length, dims.channels, dims.height, dims.width],
      },
    });
    for (const value of out[SAMPLE_SSE]!.data) sse += value;
  }
  return sse / (source.count * gridSize);
}

/**
 * Trains `config` on `features` with the recipe in `options` (paper defaults).
 * Throws NormscopeError: InvalidRequest (no data, wrong grid sizes), Conflict
 * (a checkpoint from another run), Cancelled (signal), Refused (the loss became
 * NaN or infinite: the weights of that step are discarded and no checkpoint is
 * written for that epoch, so the caller's last checkpoint is the last good one).
 */
export async function trainAr(options: TrainArOptions): Promise<TrainArResult> {
  const { config, signal } = options;
  const recipe = parseTrainRecipe({
    epochs: options.epochs,
    batchSize: options.batchSize,
    lr: options.lr,
    beta1: options.beta1,
    beta2: options.beta2,
    eps: options.eps,
    weightDecay: options.weightDecay,
    warmupSteps: options.warmupSteps,
    noiseP: options.noiseP,
    noiseScale: options.noiseScale,
    seed: options.seed,
  });
  const source = asFeatureSource(options.features);
  if (source.count === 0)
    throw new NormscopeError('InvalidRequest', 'training needs at least one feature grid');
  const first = await source.get(0);
  const { height, width } = gridOf(options, first.length, config.inChannels);
  const dims: GridDims = { channels: config.inChannels, height, width };
  const gridSize = dims.channels * height * width;
  const validationSource =
    options.validation === undefined ? undefined : asFeatureSource(options.validation);
  const validation = validationSource && validationSource.count > 0 ? validationSource : undefined;

  let state: TrainCheckpoint;
  if (options.resumeFrom) {
    checkResumable(options.resumeFrom, config, recipe, source.count);
    state = options.resumeFrom;
  } else {
    const initial = options.initialWeights ?? initArWeights(config, recipe.seed);
    // masked taps start at zero; zero gradients and zero moments keep them there
    const weights = maskArWeights(config, initial);
    state = {
      config,
      recipe,
      trainCount: source.count,
      epochsDone: 0,
      step: 0,
      weights,
      m: zerosLike(weights),
      v: zerosLike(weights),
      curves: { trainLoss: [], valLoss: [], stepLoss: [] },
    };
  }

  const shapes = inputShapes(config);
  let tensors: Params = new Map([
    ...toParams(state.weights, (n) => n),
    ...toParams(state.m, (n) => `m.${n}`),
    ...toParams(state.v, (n) => `v.${n}`),
  ]);
  const curves: TrainCurves = {
    trainLoss: [...state.curves.trainLoss],
    valLoss: [...state.curves.valLoss],
    stepLoss: [...state.curves.stepLoss],
  };
  let step = state.step;
  const stepsPerEpoch = Math.ceil(source.count / recipe.batchSize);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  const constants = { beta1: recipe.beta1, beta2: recipe.beta2, eps: recipe.eps };

  const layout = { nchwcBlock: await nchwcBlockForSessions(options.session) };
  const stepSession = await createSession(
    buildArTrainStepGraph(config, constants, layout),
    options.session,
  );
  const lossSession = validation
    ? await createSession(buildArLossGraph(config, layout), options.session)
    : undefined;
  try {
    for (let epoch = state.epochsDone; epoch < recipe.epochs; epoch++) {
      const rng = epochRng(recipe.seed, epoch);
      const order = shuffledOrder(source.count, rng);
      let epochLossSum = 0;
      for (let start = 0; start < order.length; start += recipe.batchSize) {
        throwIfAborted(signal, `in epoch ${epoch + 1}`);
        const indices = order.slice(start, start + recipe.batchSize);
        const target = await assembleBatch(source, indices, gridSize);
        const noisy = rng.next() < recipe.noiseP;
        const input = noisy
          ? await addChannelNoise(target, dims.channels, height * width, recipe.noiseScale, rng)
          : target;
        const batchDims = [indices.length, dims.channels, height, width];
        const s = adamWScalars(
          learningRateAt(recipe, step + 1),
          recipe.weightDecay,
          step + 1,
          constants,
        );
        const out = await runFloat32(stepSession, {
          ...tensorFeeds(tensors, shapes),
          [TRAIN_INPUT]: { data: input, dims: batchDims },
          [TRAIN_TARGET]: { data: target, dims: batchDims },
          [ADAMW_DECAY]: { data: Float32Array.of(s.decay), dims: [] },
          [ADAMW_STEP_SIZE]: { data: Float32Array.of(s.stepSize), dims: [] },
          [ADAMW_BC2_SQRT]: { data: Float32Array.of(s.bc2Sqrt), dims: [] },
        });
        const loss = out[TRAIN_LOSS]!.data[0]!;
        if (!Number.isFinite(loss)) {
          throw new NormscopeError(
            'Refused',
            `training diverged: the loss is ${loss} at epoch ${epoch + 1}, step ${step + 1}; the last good checkpoint is ` +
              `that of epoch ${epoch} (try a lower learning rate or a warm-up)`,
            { epoch: epoch + 1, step: step + 1, lastGoodEpoch: epoch },
          );
        }
        const next: Params = new Map();
        for (const name of tensors.keys()) next.set(name, out[updatedName(name)]!.data);
        tensors = next;
        step += 1;
        epochLossSum += loss * indices.length;
        curves.stepLoss.push(loss);
        options.onProgress?.({
          kind: 'step',
          epoch: epoch + 1,
          epochs: recipe.epochs,
          step,
          totalSteps,
          loss,
        });
      }
      const trainLoss = epochLossSum / source.count;
      curves.trainLoss.push(trainLoss);
      let valLoss: number | undefined;
      if (validation && lossSession) {
        const paramsOnly = new Map(
          [...tensors].filter(([name]) => !name.startsWith('m.') && !name.startsWith('v.')),
        );
        valLoss = await validationLoss(
          lossSession,
          tensorFeeds(paramsOnly, shapes),
          validation,
          dims,
          recipe.batchSize,
        );
        curves.valLoss.push(valLoss);
      }
      state = {
        config,
        recipe,
        trainCount: source.count,
        epochsDone: epoch + 1,
        step,
        weights: fromParams(config, tensors, (n) => n),
        m: fromParams(config, tensors, (n) => `m.${n}`),
        v: fromParams(config, tensors, (n) => `v.${n}`),
        curves: {
          trainLoss: [...curves.trainLoss],
          valLoss: [...curves.valLoss],
          stepLoss: [...curves.stepLoss],
        },
      };
      options.onProgress?.({
        kind: 'epoch',
        epoch: epoch + 1,
        epochs: recipe.epochs,
        step,
        totalSteps,
        loss: trainLoss,
        ...(valLoss === undefined ? {} : { valLoss }),
      });
      await options.checkpoint?.(state);
    }
  } finally {
    await closeSession(stepSession);
    if (lossSession) await closeSession(lossSession);
  }
  const runtime: TrainRuntime = {
    onnxRuntime: stepSession.ortVersion,
    provider: stepSession.provider,
    nchwcBlock: graphBlock(config, layout) ?? null,
  };
  return { weights: state.weights, curves: state.curves, state, runtime };
}
