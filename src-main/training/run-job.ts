/**
 * The body of a 'train' job: make sure every frame's features are in the
 * engine's cache (the only time the backbone runs), then trainAr over cached
 * grids with a checkpoint per epoch in the content store, and on success a
 * model version with its provenance. A resumed job (pause, crash, restart)
 * continues from the run's last checkpoint to exactly the weights an
 * uninterrupted run reaches.
 *
 * A causal run with a flipped partner trains the main model, keeps its last
 * checkpoint, then trains the partner on the same data with the partner's
 * recipe; both go into one model version whose maps are averaged. Progress
 * and ETA count the steps of both models; the partner's validation AUPR
 * scores the pair, as the version will score.
 */
import type { TrainingCurves, TrainingProgress } from '../api/contract';
import { NormscopeError } from '../api/errors';
import type { EventBus } from '../api/event-bus';
import type { JobContext } from '../jobs/job-manager';
import type { ArConfig } from '../ml/ar/config';
import type { ArModel } from '../ml/ar/graph';
import type { SessionSettings } from '../ml/onnx/session';
import type { FeatureSource } from '../ml/train/batches';
import { decodeTrainCheckpoint, encodeTrainCheckpoint } from '../ml/train/checkpoint';
import { trainAr } from '../ml/train/trainer';
import type { TrainRecipe } from '../ml/train/recipe';
import type { TrainCheckpoint, TrainProgress, TrainRuntime } from '../ml/train/trainer';
import type { Store } from '../store/store';
import { backboneGrid, chooseTrainingBackbone } from './backbone-choice';
import type { FeatureProvider, FrameFeatures, FrameRef } from './features';
import { runConfig, runCurves, runMetrics, runPartnerCurves, storedCurves } from './run-records';
import type { RunMetrics } from './run-records';
import { framesOf } from './selection';
import type { StudyEntry } from './selection';
import { saveTrainedModel } from './trained-model';
import { imageAupr, imageMaxScores } from './validation-metrics';
import type { GridDims } from './validation-metrics';

export interface TrainingRunDeps {
  store: Store;
  events: Pick<EventBus, 'publish'>;
  features: FeatureProvider;
  session?: SessionSettings;
}

/** share of the job's progress bar given to filling the feature cache */
const FEATURE_SHARE = 0.1;
/** minimum ms between two step events of one run (epoch events always go out) */
const STEP_EVENT_INTERVAL_MS = 250;

function sourceOf(
  features: FrameFeatures,
  frames: readonly FrameRef[],
  signal: AbortSignal,
): FeatureSource {
  return { count: frames.length, get: (index) => features.get(frames[index]!, signal) };
}

/** Fills the cache for every frame and checks that each grid has the backbone's shape. */
async function fillFeatureCache(
  features: FrameFeatures,
  frames: readonly FrameRef[],
  dims: GridDims,
  ctx: JobContext,
  report: (done: number) => void,
): Promise<void> {
  const expected = dims.channels * dims.height * dims.width;
  for (let i = 0; i < frames.length; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const frame = frames[i]!;
    const grid = await features.get(frame, ctx.signal);
    if (grid.length !== expected) {
      throw new NormscopeError(
        'Refused',
        `features of frame ${frame.frame} of instance ${frame.sopInstanceUid} have ${grid.length} values; the backbone gives ` +
          `${dims.channels}x${dims.height}x${dims.width}: features from another backbone cannot be mixed into one run`,
      );
    }
    report(i + 1);
  }
}

function framesFor(store: Store, entries: readonly StudyEntry[]): FrameRef[] {
  return framesOf(store, entries);
}

type ModelRole = TrainingProgress['model'];

/** How the job's messages name a model: nothing to add when the run trains one. */
function roleText(role: ModelRole, models: number): string {
  if (models === 1) return '';
  return role === 'partner' ? 'flipped partner, ' : 'main model, ';
}

async function writeCheckpoint(
  store: Store,
  state: TrainCheckpoint,
  what: string,
): Promise<string> {
  try {
    return (await store.files.put(encodeTrainCheckpoint(state))).sha256;
  } catch (err) {
    throw new NormscopeError(
      'Unavailable',
      `could not write the checkpoint of ${what}epoch ${state.epochsDone} (${(err as Error).message}); ` +
        `the run keeps its last good checkpoint (${what}epoch ${state.epochsDone - 1}) and can be resumed once there is space`,
    );
  }
}

async function readCheckpoint(
  store: Store,
  sha256: string,
  what: string,
): Promise<TrainCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await store.files.read(sha256);
  } catch (err) {
    throw new NormscopeError(
      'Unavailable',
      `could not read the ${what} checkpoint ${sha256} (${(err as Error).message})`,
    );
  }
  return decodeTrainCheckpoint(bytes);
}

/** One model's training: the config, recipe and checkpoint it continues from, and its curves so far. */
interface Phase {
  role: ModelRole;
  config: ArConfig;
  recipe: TrainRecipe;
  resumeFrom?: TrainCheckpoint;
  curves: TrainingCurves;
  /** models whose maps are averaged with this one's for validation AUPR (the finished main model, for the partner) */
  scoredWith: ArModel[];
}

function continuedCurves(
  checkpoint: TrainCheckpoint | undefined,
  stored: TrainingCurves | null,
): TrainingCurves {
  const epochs = checkpoint?.epochsDone ?? 0;
  return {
    trainLoss: checkpoint ? [...checkpoint.curves.trainLoss] : [],
    valLoss: checkpoint ? [...checkpoint.curves.valLoss] : [],
    valAupr: (stored?.valAupr ?? []).slice(0, epochs),
  };
}

/** Runs (or resumes) training run `runId`; resolves to the id of the model version it made. */
export async function runTraining(
  deps: TrainingRunDeps,
  runId: string,
  ctx: JobContext,
): Promise<string> {
  const { store, events } = deps;
  const initial = store.trainingRuns.get(runId);
  if (!initial) throw new NormscopeError('NotFound', `training run ${runId} does not exist`);
  if (initial.modelVersionId) return initial.modelVersionId;
  const jobId = initial.jobId ?? '';
  const config = runConfig(initial);
  const backbone = chooseTrainingBackbone(store, initial.backboneId);
  const dims = backboneGrid(backbone);
  if (dims.channels !== config.arConfig.inChannels) {
    throw new NormscopeError(
      'Refused',
      `the run's AR model expects ${config.arConfig.inChannels} feature channels; backbone ${backbone.name} gives ${dims.channels}`,
    );
  }
  store.trainingRuns.update(runId, { state: 'running' });

  const training = framesFor(store, initial.trainingStudies as StudyEntry[]);
  const validation = framesFor(store, initial.validationStudies as StudyEntry[]);
  const abnormal = framesFor(store, config.abnormalStudies);
  const features = deps.features(backbone, config.preprocessing.spec);

  let metrics: RunMetrics = runMetrics(initial);
  const partnerSpec = config.partner;
  const models = partnerSpec ? 2 : 1;
  // the main model is done and kept: this attempt trains only the partner
  const mainDoneSha = partnerSpec ? metrics.mainCheckpointSha256 : undefined;
  const mainDone = mainDoneSha
    ? await readCheckpoint(store, mainDoneSha, "finished main model's")
    : undefined;
  const stored =
    initial.checkpointSha256 && initial.checkpointSha256 !== mainDoneSha
      ? await readCheckpoint(store, initial.checkpointSha256, 'last')
      : undefined;
  const mainResume = mainDone ?? stored;
  const partnerResume = mainDone ? stored : undefined;

  const mainCurves = continuedCurves(mainResume, runCurves(initial));
  const partnerCurves = partnerSpec
    ? continuedCurves(partnerResume, runPartnerCurves(initial))
    : null;
  const resumedAt = mainDone
    ? { epoch: partnerResume?.epochsDone ?? 0, at: new Date().toISOString(), partner: true }
    : stored
      ? { epoch: stored.epochsDone, at: new Date().toISOString() }
      : undefined;
  if (resumedAt) {
    metrics = { ...metrics, resumes: [...metrics.resumes, resumedAt] };
    store.trainingRuns.update(runId, { metrics });
  }

  const { recipe } = config;
  const stepsPerEpoch = Math.ceil(training.length / recipe.batchSize);
  // both models train on the same data with the same epochs and batch size
  const stepsPerModel = stepsPerEpoch * recipe.epochs;
  const totalSteps = stepsPerModel * models;
  const runStep = (role: ModelRole, step: number): number =>
    role === 'partner' ? stepsPerModel + step : step;
  const base = { runId, jobId, models, epochs: recipe.epochs, totalSteps };

  const allFrames = [...training, ...validation, ...abnormal];
  const publish = (
    progress: Omit<TrainingProgress, keyof typeof base | 'curves' | 'partnerCurves'>,
  ): void =>
    events.publish('training.progress', {
      ...base,
      ...progress,
      curves: mainCurves,
      partnerCurves,
    });
  const startRole: ModelRole = mainDone ? 'partner' : 'main';
  const startCheckpoint = mainDone ? partnerResume : mainResume;
  const startStep = runStep(startRole, startCheckpoint?.step ?? 0);
  await fillFeatureCache(features, allFrames, dims, ctx, (done) => {
    ctx.progress.report(
      FEATURE_SHARE * (done / allFrames.length),
      `Reading features ${done}/${allFrames.length}`,
    );
    publish({
      phase: 'features',
      model: startRole,
      done,
      total: allFrames.length,
      epoch: startCheckpoint?.epochsDone ?? 0,
      step: startStep,
      loss: null,
      etaSeconds: null,
    });
  });

  const trainSource = sourceOf(features, training, ctx.signal);
  const validationSource = sourceOf(features, validation, ctx.signal);
  const abnormalSource = sourceOf(features, abnormal, ctx.signal);
  const attemptStart = { time: Date.now(), step: startStep };
  let lastStepEvent = 0;
  let lastLoss: number | null = null;
  /** the checkpoint the row points at: after the main phase, the main model's final state */
  let lastCheckpointSha = initial.checkpointSha256;

  // a step of either model costs about the same (only the partner's per-epoch AUPR scores two
  // models), so one rate over the attempt stays truthful across the phase change
  const eta = (step: number): number | null => {
    const stepsDone = step - attemptStart.step;
    if (stepsDone <= 0) return null;
    return (((Date.now() - attemptStart.time) / stepsDone) * (totalSteps - step)) / 1000;
  };

  // what ran the last phase trained in this process: the version records it
  let runtime: TrainRuntime | undefined;
  const trainPhase = async (phase: Phase): Promise<TrainCheckpoint> => {
    const label = roleText(phase.role, models);
    const onProgress = (p: TrainProgress): void => {
      lastLoss = p.loss;
      const step = runStep(phase.role, p.step);
      const fraction = FEATURE_SHARE + (1 - FEATURE_SHARE) * (step / totalSteps);
      const etaSeconds = eta(step);
      const etaText = etaSeconds === null ? '' : ` · about ${Math.ceil(etaSeconds)} s left`;
      if (p.kind === 'epoch') {
        phase.curves.trainLoss.push(p.loss);
        if (p.valLoss !== undefined) phase.curves.valLoss.push(p.valLoss);
      }
      const what = label ? `${label[0]!.toUpperCase()}${label.slice(1)}epoch` : 'Epoch';
      ctx.progress.report(
        fraction,
        `${what} ${p.epoch}/${p.epochs} · step ${step}/${totalSteps} · loss ${p.loss.toPrecision(4)}${etaText}`,
      );
      const now = Date.now();
      if (p.kind === 'epoch' || now - lastStepEvent >= STEP_EVENT_INTERVAL_MS) {
        lastStepEvent = now;
        publish({
          phase: 'training',
          model: phase.role,
          done: step,
          total: totalSteps,
          epoch: p.epoch,
          step,
          loss: p.loss,
          etaSeconds,
        });
      }
    };

    const checkpoint = async (state: TrainCheckpoint): Promise<void> => {
      let aupr: number | null = null;
      if (validation.length > 0 && abnormal.length > 0) {
        const scored = [...phase.scoredWith, { config: state.config, weights: state.weights }];
        const batch = recipe.batchSize;
        aupr = imageAupr(
          await imageMaxScores(scored, validationSource, dims, batch, deps.session),
          await imageMaxScores(scored, abnormalSource, dims, batch, deps.session),
        );
      }
      phase.curves.valAupr.push(aupr);
      const sha = await writeCheckpoint(store, state, label);
      const previous = store.trainingRuns.get(runId)?.checkpointSha256;
      metrics = {
        ...metrics,
        ...(phase.role === 'partner'
          ? { partnerEpochsDone: state.epochsDone }
          : { epochsDone: state.epochsDone }),
        error: null,
      };
      store.trainingRuns.update(runId, {
        checkpointSha256: sha,
        curves: storedCurves(mainCurves, partnerCurves),
        metrics,
      });
      lastCheckpointSha = sha;
      // the finished main model's checkpoint stays: the partner phase and the saved version read it
      if (previous && previous !== sha && previous !== metrics.mainCheckpointSha256)
        await store.files.remove(previous);
      ctx.checkpoint({ runId, model: phase.role, epochsDone: state.epochsDone });
      const step = runStep(phase.role, state.step);
      publish({
        phase: 'training',
        model: phase.role,
        done: step,
        total: totalSteps,
        epoch: state.epochsDone,
        step,
        loss: lastLoss,
        etaSeconds: eta(step),
      });
    };

    const result = await trainAr({
      config: phase.config,
      features: trainSource,
      grid: { height: dims.height, width: dims.width },
      validation: validationSource,
      ...phase.recipe,
      signal: ctx.signal,
      onProgress,
      checkpoint,
      resumeFrom: phase.resumeFrom,
      session: deps.session,
    });
    runtime = result.runtime;
    return result.state;
  };

  const main =
    mainDone ??
    (await trainPhase({
      role: 'main',
      config: config.arConfig,
      recipe,
      resumeFrom: mainResume,
      curves: mainCurves,
      scoredWith: [],
    }));
  let partner: { state: TrainCheckpoint; curves: TrainingCurves } | undefined;
  if (partnerSpec && partnerCurves) {
    if (!mainDone) {
      if (!lastCheckpointSha) {
        throw new NormscopeError(
          'Internal',
          `training run ${runId}: the main model finished without a checkpoint to keep`,
        );
      }
      // persisted before the partner starts, so no later attempt trains the main model again
      metrics = { ...metrics, mainCheckpointSha256: lastCheckpointSha, partnerEpochsDone: 0 };
      store.trainingRuns.update(runId, {
        curves: storedCurves(mainCurves, partnerCurves),
        metrics,
      });
    }
    const state = await trainPhase({
      role: 'partner',
      config: partnerSpec.arConfig,
      recipe: partnerSpec.recipe,
      resumeFrom: partnerResume,
      curves: partnerCurves,
      scoredWith: [{ config: main.config, weights: main.weights }],
    });
    partner = { state, curves: partnerCurves };
  }
  const run = store.trainingRuns.get(runId)!;
  return (await saveTrainedModel(store, run, backbone, main, mainCurves, partner, runtime)).id;
}
