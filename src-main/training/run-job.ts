/**
 * The body of a 'train' job: make sure every frame's features are in the
 * engine's cache (the only time the backbone runs), then trainAr over cached
 * grids with a checkpoint per epoch in the content store, and on success a
 * model version with its provenance. A resumed job (pause, crash, restart)
 * continues from the run's last checkpoint to exactly the weights an
 * uninterrupted run reaches.
 */
import type { TrainingCurves, TrainingProgress } from '../api/contract';
import { NormscopeError } from '../api/errors';
import type { EventBus } from '../api/event-bus';
import type { JobContext } from '../jobs/job-manager';
import type { SessionSettings } from '../ml/onnx/session';
import type { FeatureSource } from '../ml/train/batches';
import { decodeTrainCheckpoint, encodeTrainCheckpoint } from '../ml/train/checkpoint';
import { trainAr } from '../ml/train/trainer';
import type { TrainCheckpoint, TrainProgress } from '../ml/train/trainer';
import type { Store } from '../store/store';
import { backboneGrid, chooseTrainingBackbone } from './backbone-choice';
import type { FeatureProvider, FrameFeatures, FrameRef } from './features';
import { runConfig, runCurves, runMetrics } from './run-records';
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

function sourceOf(features: FrameFeatures, frames: readonly FrameRef[], signal: AbortSignal): FeatureSource {
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

async function writeCheckpoint(store: Store, state: TrainCheckpoint): Promise<string> {
  try {
    return (await store.files.put(encodeTrainCheckpoint(state))).sha256;
  } catch (err) {
    throw new NormscopeError(
      'Unavailable',
      `could not write the checkpoint of epoch ${state.epochsDone} (${(err as Error).message}); ` +
        `the run keeps its last good checkpoint (epoch ${state.epochsDone - 1}) and can be resumed once there is space`,
    );
  }
}

/** Runs (or resumes) training run `runId`; resolves to the id of the model version it made. */
export async function runTraining(deps: TrainingRunDeps, runId: string, ctx: JobContext): Promise<string> {
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

  const resumeFrom = initial.checkpointSha256
    ? // a plain Uint8Array copy: decodeTrainCheckpoint's slice must not share a pooled Buffer's memory
      decodeTrainCheckpoint(new Uint8Array(await store.files.read(initial.checkpointSha256)))
    : undefined;
  const epochsDone = resumeFrom?.epochsDone ?? 0;
  const metrics = runMetrics(initial);
  if (resumeFrom) {
    metrics.resumes = [...metrics.resumes, { epoch: epochsDone, at: new Date().toISOString() }];
    store.trainingRuns.update(runId, { metrics });
  }
  const curves: TrainingCurves = {
    trainLoss: resumeFrom ? [...resumeFrom.curves.trainLoss] : [],
    valLoss: resumeFrom ? [...resumeFrom.curves.valLoss] : [],
    valAupr: runCurves(initial).valAupr.slice(0, epochsDone),
  };
  const { recipe } = config;
  const stepsPerEpoch = Math.ceil(training.length / recipe.batchSize);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  const base = {
    runId,
    jobId,
    epochs: recipe.epochs,
    totalSteps,
  };

  const allFrames = [...training, ...validation, ...abnormal];
  const publish = (progress: Omit<TrainingProgress, keyof typeof base | 'curves'>): void =>
    events.publish('training.progress', { ...base, ...progress, curves });
  await fillFeatureCache(features, allFrames, dims, ctx, (done) => {
    ctx.progress.report(FEATURE_SHARE * (done / allFrames.length), `Reading features ${done}/${allFrames.length}`);
    publish({ phase: 'features', done, total: allFrames.length, epoch: epochsDone, step: resumeFrom?.step ?? 0, loss: null, etaSeconds: null });
  });

  const trainSource = sourceOf(features, training, ctx.signal);
  const validationSource = sourceOf(features, validation, ctx.signal);
  const abnormalSource = sourceOf(features, abnormal, ctx.signal);
  const attemptStart = { time: Date.now(), step: resumeFrom?.step ?? 0 };
  let lastStepEvent = 0;
  let lastLoss: number | null = null;

  const eta = (step: number): number | null => {
    const stepsDone = step - attemptStart.step;
    if (stepsDone <= 0) return null;
    return (((Date.now() - attemptStart.time) / stepsDone) * (totalSteps - step)) / 1000;
  };
  const onProgress = (p: TrainProgress): void => {
    lastLoss = p.loss;
    const fraction = FEATURE_SHARE + (1 - FEATURE_SHARE) * (p.step / totalSteps);
    const etaSeconds = eta(p.step);
    const etaText = etaSeconds === null ? '' : ` · about ${Math.ceil(etaSeconds)} s left`;
    if (p.kind === 'epoch') {
      curves.trainLoss.push(p.loss);
      if (p.valLoss !== undefined) curves.valLoss.push(p.valLoss);
    }
    ctx.progress.report(fraction, `Epoch ${p.epoch}/${p.epochs} · step ${p.step}/${p.totalSteps} · loss ${p.loss.toPrecision(4)}${etaText}`);
    const now = Date.now();
    if (p.kind === 'epoch' || now - lastStepEvent >= STEP_EVENT_INTERVAL_MS) {
      lastStepEvent = now;
      publish({ phase: 'training', done: p.step, total: totalSteps, epoch: p.epoch, step: p.step, loss: p.loss, etaSeconds });
    }
  };

  const checkpoint = async (state: TrainCheckpoint): Promise<void> => {
    let aupr: number | null = null;
    if (validation.length > 0 && abnormal.length > 0) {
      const model = { config: state.config, weights: state.weights };
      const batch = recipe.batchSize;
      aupr = imageAupr(
        await imageMaxScores(model, validationSource, dims, batch, deps.session),
        await imageMaxScores(model, abnormalSource, dims, batch, deps.session),
      );
    }
    curves.valAupr.push(aupr);
    const sha = await writeCheckpoint(store, state);
    const previous = store.trainingRuns.get(runId)?.checkpointSha256;
    store.trainingRuns.update(runId, {
      checkpointSha256: sha,
      curves,
      metrics: { ...metrics, epochsDone: state.epochsDone, error: null },
    });
    if (previous && previous !== sha) await store.files.remove(previous);
    ctx.checkpoint({ runId, epochsDone: state.epochsDone });
    publish({
      phase: 'training',
      done: state.step,
      total: totalSteps,
      epoch: state.epochsDone,
      step: state.step,
      loss: lastLoss,
      etaSeconds: eta(state.step),
    });
  };

  const result = await trainAr({
    config: config.arConfig,
    features: trainSource,
    grid: { height: dims.height, width: dims.width },
    validation: validationSource,
    ...recipe,
    signal: ctx.signal,
    onProgress,
    checkpoint,
    resumeFrom,
    session: deps.session,
  });
  const run = store.trainingRuns.get(runId)!;
  return (await saveTrainedModel(store, run, backbone, result.state, curves)).id;
}
