/**
 * `normscope evaluate` (issue 3): the whole method on a data set in BMAD's
 * folder layout, headless, from PNGs to the paper's metrics.
 *
 * 1. Features: every image through the backbone once (the paper's PNG
 *    preprocessing), kept as float16 in a scratch file (feature-spool.ts).
 * 2. Training: trainAr on train/good only, with the recipe given (paper
 *    defaults). A flipped causal run trains a second, flipped model.
 * 3. Checkpoint selection on valid/ only, never on test/ (the paper's own
 *    script selects on the test set): with labelled anomalies in valid/, the
 *    epoch with the best validation pixel AUPR; with normal images only, the
 *    lowest validation MSE; without valid/, the last epoch. Each model of a
 *    flipped pair selects its own epoch on its own map.
 * 4. Scoring test/{good,Ungood}: maps, pixel and image metrics over the whole
 *    image and the foreground (metrics-accumulator.ts), streamed image by image.
 *
 * The result states what the model is (its receptive-field truth: a strict
 * blind spot or not) and the recipe and seed that made it, so a figure can be
 * reproduced and judged.
 */
import { z } from 'zod';
import { NormscopeError } from '../api/errors';
import { AR_ANOMALY_MAP, AR_INPUT, buildArAnomalyMapGraph } from '../ml/ar/graph';
import type { ArModel } from '../ml/ar/graph';
import { parseArConfig } from '../ml/ar/config';
import type { ArConfig, ArConfigInput } from '../ml/ar/config';
import { isStrictBlindSpot, selfDependencyPaths } from '../ml/ar/receptive-field';
import type { Offset } from '../ml/ar/receptive-field';
import { arParameterCount } from '../ml/ar/weights';
import type { ArWeights } from '../ml/ar/weights';
import { averagePrecisionFromRanked, StreamingScoreCounts } from '../ml/metrics';
import { closeSession, createSession, runFloat32 } from '../ml/onnx/session';
import type { OnnxSession, ProviderName, SessionSettings } from '../ml/onnx/session';
import type { GreyImage8 } from '../ml/phantom/bmad';
import { upsampleMap } from '../../src-common/imaging/upsample';
import { parseTrainRecipe } from '../ml/train/recipe';
import type { TrainRecipe, TrainRecipeInput } from '../ml/train/recipe';
import { trainAr } from '../ml/train/trainer';
import { openBackboneFeatures } from './backbone-features';
import type { BackboneFeatures } from './backbone-features';
import { loadGrey8, loadLabel, readBmadFolder } from './bmad-folder';
import type { BmadImageFile } from './bmad-folder';
import { FeatureSpool } from './feature-spool';
import {
  CONTEXT_SHARE_OF_BEST,
  EvaluationAccumulator,
  scoringPositions,
} from './metrics-accumulator';
import type { AccumulatedMetrics } from './metrics-accumulator';

/** The AR model's shape; `inChannels` comes from the backbone. */
export type EvaluateModelOptions = Omit<ArConfigInput, 'inChannels' | 'flipped'>;

export interface EvaluateOptions {
  bmadDir: string;
  backbonePath: string;
  /** Mode, dilations, hidden width, layers, kernel; paper defaults. */
  model?: EvaluateModelOptions;
  /** Causal only: also train a model on the flipped grid and average the two maps. */
  flipped?: boolean;
  /** Epochs, lr, batch size, warm-up, seed, ...; paper defaults. */
  recipe?: TrainRecipeInput;
  /** Backbone input side in px (dynamic-size backbones only); default the backbone's (448). */
  inputSize?: number;
  /** ONNX Runtime threads inside an operator; default one per core. */
  threads?: number;
  /** Images per backbone run; default 8. */
  featureBatch?: number;
  signal?: AbortSignal;
  onProgress?: (progress: EvaluateProgress) => void;
}

export type EvaluateProgress =
  | { phase: 'features'; split: 'train' | 'valid' | 'test'; done: number; total: number }
  | {
      phase: 'training';
      model: number;
      models: number;
      epoch: number;
      epochs: number;
      loss: number;
      /** The selection criterion's value after this epoch, when there is one. */
      validation?: number;
    };

export type SelectionCriterion = 'validation-pixel-aupr' | 'validation-loss' | 'last-epoch';

export interface TrainedModelReport {
  config: ArConfig;
  /** 1-based epoch whose weights were kept. */
  selectedEpoch: number;
  /** Criterion value at that epoch (absent for last-epoch selection). */
  selectedValue?: number;
  trainLoss: number[];
  /** Criterion value after each epoch (empty for last-epoch selection). */
  validation: number[];
  /** The prediction at p can never see the input at p (ml/ar/receptive-field.ts). */
  strictBlindSpot: boolean;
  /** Tap paths through the layers that lead from p back to p; 0 for a strict blind spot. */
  selfDependencyPaths: number;
  /** A shortest such path (offset per layer), or null. */
  selfDependencyExample: Offset[] | null;
}

export interface EvaluationResult {
  dataset: {
    dir: string;
    train: number;
    valid: { normal: number; anomalous: number } | null;
    test: { normal: number; anomalous: number };
  };
  backbone: {
    name: string;
    family: string;
    sha256: string;
    standIn: boolean;
    inputSize: number;
    grid: number;
    channels: number;
  };
  models: TrainedModelReport[];
  /** True when every model is a strict blind spot. */
  strictBlindSpot: boolean;
  recipe: TrainRecipe;
  selection: SelectionCriterion;
  parameters: number;
  /** float32 bytes of all AR weights. */
  weightBytes: number;
  metrics: AccumulatedMetrics;
  imageScore: {
    reduction: 'max';
    /** Positions scored: context fraction >= this share of the best position's. */
    contextShareOfBest: number;
    positionsScored: number;
    positions: number;
  };
  timing: {
    /** Backbone features of train and valid images (preprocessing included). */
    featureSeconds: number;
    /** AR training, per-epoch validation for selection included. */
    trainingSeconds: number;
    /** Test scoring per image: preprocessing + backbone + AR map (PNG decoding and metrics excluded). */
    scoringMsPerImage: number;
    preprocessMsPerImage: number;
    backboneMsPerImage: number;
    arMsPerImage: number;
  };
  runtime: { ortVersion: string; provider: ProviderName; intraOpThreads: number };
}

interface LabelledFeature {
  index: number;
  width: number;
  height: number;
  label?: Uint8Array;
}

interface SpooledSplit {
  spool: FeatureSpool;
  items: LabelledFeature[];
}

/** Runs a zod-validating parser; its issues become one InvalidRequest naming `what`. */
function parseOrRefuse<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    const issues = err.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`);
    throw new NormscopeError('InvalidRequest', `invalid ${what}: ${issues.join('; ')}`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NormscopeError('Cancelled', 'evaluation cancelled');
}

async function loadImages(
  files: readonly BmadImageFile[],
): Promise<{ image: GreyImage8; label?: Uint8Array }[]> {
  return Promise.all(
    files.map(async (file) => {
      const image = await loadGrey8(file.path);
      if (file.labelPath === undefined) return { image };
      return { image, label: await loadLabel(file.labelPath, image.width, image.height) };
    }),
  );
}

/** Runs every file through the backbone into a new spool; keeps labels and sizes (small) in memory. */
async function spoolFeatures(
  backbone: BackboneFeatures,
  files: readonly BmadImageFile[],
  batchSize: number,
  report: (done: number) => void,
  signal: AbortSignal | undefined,
): Promise<SpooledSplit> {
  const spool = new FeatureSpool(backbone.channels * backbone.grid * backbone.grid);
  const items: LabelledFeature[] = [];
  try {
    for (let start = 0; start < files.length; start += batchSize) {
      throwIfAborted(signal);
      const loaded = await loadImages(files.slice(start, start + batchSize));
      const { grids } = await backbone.extract(loaded.map((l) => l.image));
      grids.forEach((grid, k) => {
        const { image, label } = loaded[k]!;
        items.push({
          index: spool.append(grid),
          width: image.width,
          height: image.height,
          ...(label ? { label } : {}),
        });
      });
      report(items.length);
    }
  } catch (err) {
    spool.close();
    throw err;
  }
  return { spool, items };
}

/** Anomaly maps [g, g] of `grids` ([C, g, g] each) from an anomaly-map session. */
async function anomalyMaps(
  session: OnnxSession,
  grids: readonly Float32Array[],
  channels: number,
  grid: number,
): Promise<Float32Array[]> {
  const size = channels * grid * grid;
  const batch = new Float32Array(grids.length * size);
  grids.forEach((g, i) => batch.set(g, i * size));
  const out = await runFloat32(session, {
    [AR_INPUT]: { data: batch, dims: [grids.length, channels, grid, grid] },
  });
  const maps = out[AR_ANOMALY_MAP]!.data;
  const plane = grid * grid;
  return grids.map((_, i) => maps.slice(i * plane, (i + 1) * plane));
}

/** Pixel AUPR of one model on the labelled validation split (whole image). */
async function validationPixelAupr(
  model: ArModel,
  valid: SpooledSplit,
  grid: number,
  batchSize: number,
  session: SessionSettings,
): Promise<number> {
  const channels = model.config.inChannels;
  const scorer = await createSession(buildArAnomalyMapGraph([model]), session);
  const counts = new StreamingScoreCounts();
  try {
    for (let start = 0; start < valid.items.length; start += batchSize) {
      const items = valid.items.slice(start, start + batchSize);
      const maps = await anomalyMaps(
        scorer,
        items.map((item) => valid.spool.get(item.index)),
        channels,
        grid,
      );
      maps.forEach((map, k) => {
        const { width, height, label } = items[k]!;
        counts.add(
          upsampleMap(map, grid, grid, height, width),
          label ?? new Uint8Array(width * height),
        );
      });
    }
  } finally {
    await closeSession(scorer);
  }
  return averagePrecisionFromRanked(counts);
}

function selectionCriterion(valid: SpooledSplit | undefined): SelectionCriterion {
  if (!valid || valid.items.length === 0) return 'last-epoch';
  if (valid.items.some((item) => item.label?.includes(1))) return 'validation-pixel-aupr';
  return valid.items.some((item) => !item.label) ? 'validation-loss' : 'last-epoch';
}

type TrainingReport = Omit<
  TrainedModelReport,
  'strictBlindSpot' | 'selfDependencyPaths' | 'selfDependencyExample'
>;

/** Trains one model and keeps the weights of the epoch the criterion selects. */
async function trainSelected(
  config: ArConfig,
  recipe: TrainRecipe,
  train: FeatureSpool,
  valid: SpooledSplit | undefined,
  criterion: SelectionCriterion,
  grid: number,
  options: EvaluateOptions,
  session: SessionSettings,
  report: (epoch: number, loss: number, validation?: number) => void,
): Promise<{ weights: ArWeights; report: TrainingReport }> {
  let best: { epoch: number; weights: ArWeights; value?: number } | undefined;
  const validation: number[] = [];
  const batch = options.featureBatch ?? 8;
  // normal validation images only: trainAr's own validation MSE
  const normals = valid?.items.filter((item) => !item.label) ?? [];
  const validationLossSource =
    criterion === 'validation-loss' && valid
      ? { count: normals.length, get: (i: number) => valid.spool.get(normals[i]!.index) }
      : undefined;
  const result = await trainAr({
    config,
    ...recipe,
    features: train,
    grid: { height: grid, width: grid },
    ...(validationLossSource ? { validation: validationLossSource } : {}),
    session,
    ...(options.signal ? { signal: options.signal } : {}),
    checkpoint: async (state) => {
      let value: number | undefined;
      let better = true;
      if (criterion === 'validation-pixel-aupr') {
        value = await validationPixelAupr(
          { config, weights: state.weights },
          valid!,
          grid,
          batch,
          session,
        );
        better = best?.value === undefined || value > best.value;
      } else if (criterion === 'validation-loss') {
        value = state.curves.valLoss.at(-1)!;
        better = best?.value === undefined || value < best.value;
      }
      if (value !== undefined) validation.push(value);
      if (better)
        best = {
          epoch: state.epochsDone,
          weights: state.weights,
          ...(value === undefined ? {} : { value }),
        };
      report(state.epochsDone, state.curves.trainLoss.at(-1)!, value);
    },
  });
  const kept = best ?? { epoch: result.state.epochsDone, weights: result.weights };
  return {
    weights: kept.weights,
    report: {
      config,
      selectedEpoch: kept.epoch,
      ...(kept.value === undefined ? {} : { selectedValue: kept.value }),
      trainLoss: result.curves.trainLoss,
      validation,
    },
  };
}

function receptiveFieldReport(
  config: ArConfig,
): Pick<TrainedModelReport, 'strictBlindSpot' | 'selfDependencyPaths' | 'selfDependencyExample'> {
  const paths = selfDependencyPaths(config);
  return {
    strictBlindSpot: isStrictBlindSpot(config),
    selfDependencyPaths: paths.count,
    selfDependencyExample: paths.example,
  };
}

/**
 * Trains and evaluates the method on a BMAD-layout folder (see the module
 * comment). Throws NormscopeError: InvalidRequest (folder layout, images,
 * labels, options), Unavailable (backbone file missing), Cancelled (signal),
 * Refused (training diverged, non-finite features or maps).
 */
export async function evaluateBmad(options: EvaluateOptions): Promise<EvaluationResult> {
  const session: SessionSettings =
    options.threads === undefined ? {} : { intraOpThreads: options.threads };
  const recipe = parseOrRefuse('training recipe', () => parseTrainRecipe(options.recipe ?? {}));
  const batch = options.featureBatch ?? 8;
  const progress = options.onProgress ?? (() => {});
  // options are checked before any file is read; the channels come from the backbone
  parseOrRefuse('AR model', () =>
    parseArConfig({ ...options.model, flipped: options.flipped === true, inChannels: 1 }),
  );
  const folder = readBmadFolder(options.bmadDir);
  const backbone = await openBackboneFeatures(options.backbonePath, {
    ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }),
    session,
  });
  const base = parseArConfig({ ...options.model, inChannels: backbone.channels });
  const configs = options.flipped ? [base, parseArConfig({ ...base, flipped: true })] : [base];
  const { grid, channels } = backbone;
  const spools: FeatureSpool[] = [];
  try {
    const featureStart = performance.now();
    const train = await spoolFeatures(
      backbone,
      folder.train,
      batch,
      (done) => progress({ phase: 'features', split: 'train', done, total: folder.train.length }),
      options.signal,
    );
    spools.push(train.spool);
    let valid: SpooledSplit | undefined;
    if (folder.valid) {
      const files = [...folder.valid.good, ...folder.valid.bad];
      valid = await spoolFeatures(
        backbone,
        files,
        batch,
        (done) => progress({ phase: 'features', split: 'valid', done, total: files.length }),
        options.signal,
      );
      spools.push(valid.spool);
    }
    const featureSeconds = (performance.now() - featureStart) / 1000;

    const criterion = selectionCriterion(valid);
    const trainStart = performance.now();
    const trained: { model: ArModel; report: TrainedModelReport }[] = [];
    for (const [m, config] of configs.entries()) {
      const { weights, report } = await trainSelected(
        config,
        recipe,
        train.spool,
        valid,
        criterion,
        grid,
        options,
        session,
        (epoch, loss, validation) =>
          progress({
            phase: 'training',
            model: m + 1,
            models: configs.length,
            epoch,
            epochs: recipe.epochs,
            loss,
            ...(validation === undefined ? {} : { validation }),
          }),
      );
      trained.push({
        model: { config, weights },
        report: { ...report, ...receptiveFieldReport(config) },
      });
    }
    const trainingSeconds = (performance.now() - trainStart) / 1000;
    train.spool.close();
    valid?.spool.close();

    const positions = scoringPositions(configs, grid, grid);
    const accumulator = new EvaluationAccumulator(grid, positions);
    const scorer = await createSession(
      buildArAnomalyMapGraph(trained.map((t) => t.model)),
      session,
    );
    const testFiles = [...folder.test.good, ...folder.test.bad];
    let preprocessMs = 0;
    let backboneMs = 0;
    let arMs = 0;
    try {
      for (let start = 0; start < testFiles.length; start += batch) {
        throwIfAborted(options.signal);
        const loaded = await loadImages(testFiles.slice(start, start + batch));
        const extracted = await backbone.extract(loaded.map((l) => l.image));
        const t0 = performance.now();
        const maps = await anomalyMaps(scorer, extracted.grids, channels, grid);
        arMs += performance.now() - t0;
        preprocessMs += extracted.preprocessMs;
        backboneMs += extracted.backboneMs;
        maps.forEach((map, k) => accumulator.add(map, loaded[k]!.image, loaded[k]!.label));
        progress({
          phase: 'features',
          split: 'test',
          done: Math.min(start + batch, testFiles.length),
          total: testFiles.length,
        });
      }
    } finally {
      await closeSession(scorer);
    }

    const n = testFiles.length;
    const parameters = configs.reduce((sum, c) => sum + arParameterCount(c), 0);
    const manifest = backbone.manifest;
    return {
      dataset: {
        dir: folder.root,
        train: folder.train.length,
        valid: folder.valid
          ? { normal: folder.valid.good.length, anomalous: folder.valid.bad.length }
          : null,
        test: { normal: folder.test.good.length, anomalous: folder.test.bad.length },
      },
      backbone: {
        name: manifest.name,
        family: manifest.family,
        sha256: manifest.sha256,
        standIn: manifest.standIn,
        inputSize: manifest.inputSize,
        grid,
        channels,
      },
      models: trained.map((t) => t.report),
      strictBlindSpot: trained.every((t) => t.report.strictBlindSpot),
      recipe,
      selection: criterion,
      parameters,
      weightBytes: parameters * 4,
      metrics: accumulator.result(),
      imageScore: {
        reduction: 'max',
        contextShareOfBest: CONTEXT_SHARE_OF_BEST,
        positionsScored: positions.reduce((a, b) => a + b, 0),
        positions: positions.length,
      },
      timing: {
        featureSeconds,
        trainingSeconds,
        scoringMsPerImage: (preprocessMs + backboneMs + arMs) / n,
        preprocessMsPerImage: preprocessMs / n,
        backboneMsPerImage: backboneMs / n,
        arMsPerImage: arMs / n,
      },
      runtime: {
        ortVersion: backbone.session.ortVersion,
        provider: backbone.session.provider,
        intraOpThreads: backbone.session.intraOpThreads,
      },
    };
  } finally {
    for (const spool of spools) spool.close();
    await backbone.close();
  }
}
