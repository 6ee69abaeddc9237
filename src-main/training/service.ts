/**
 * Training as a product feature: starting a run (validated, recorded and
 * audited before its job is queued), the resumer that continues a run after a
 * restart, and a mirror that keeps each run's state in step with its job
 * (paused, cancelled, failed: with the audit entry of its end).
 */
import { z } from 'zod';
import type { ParsedParams, TrainingRunInfo, JobInfo } from '../api/contract';
import { TrainingStartParams } from '../api/contract';
import { NormscopeError } from '../api/errors';
import type { EventBus } from '../api/event-bus';
import type { JobContext, JobManager, JobResumer } from '../jobs/job-manager';
import { parseArConfig } from '../ml/ar/config';
import type { SessionSettings } from '../ml/onnx/session';
import { PREPROCESSING_VERSION, PreprocessingSpec } from '../ml/preprocess';
import { parseTrainRecipe } from '../ml/train/recipe';
import { readSettings } from '../core/handlers/settings';
import { actorName } from '../models/actor';
import type { Backbone } from '../store/repositories/models-repository';
import type { Store } from '../store/store';
import { backboneGrid, chooseTrainingBackbone } from './backbone-choice';
import type { FeatureProvider } from './features';
import { runTraining } from './run-job';
import type { RunConfig } from './run-records';
import { partnerSeed, RunJobLinks, runConfig, runMetrics, toRunInfo } from './run-records';
import { MIN_NORMAL_STUDIES, MIN_TRAINING_FRAMES, planSelection } from './selection';

export interface TrainingServiceDeps {
  store: Store;
  jobs: JobManager;
  events: Pick<EventBus, 'publish' | 'subscribe'>;
  /** the engine's feature cache (tests pass their own) */
  features: FeatureProvider;
  session?: SessionSettings;
}

export interface TrainingService {
  start(params: ParsedParams<'training.start'>): { runId: string; jobId: string };
  /** a failed or cancelled run continues from its last checkpoint in a new job */
  continueRun(runId: string, reviewerId?: string): { runId: string; jobId: string };
  list(): TrainingRunInfo[];
  get(runId: string): TrainingRunInfo;
  /** for JobManager.recover */
  readonly resumer: JobResumer;
}

const JobParams = z.object({ runId: z.string().min(1) });

/**
 * The preprocessing a run's features are computed with: the backbone's probed
 * size and normalisation, the intensity window of the settings. Recorded with
 * the run and its model, so scoring reproduces it.
 */
function preprocessingFor(store: Store, backbone: Backbone): PreprocessingSpec {
  const probed = backbone.manifest.preprocessing as
    { size?: number; mean?: number[]; std?: number[] } | undefined;
  return PreprocessingSpec.parse({
    window: readSettings(store).intensityWindow,
    size: probed?.size,
    mean: probed?.mean,
    std: probed?.std,
  });
}

function zodMessage(err: unknown): string {
  return err instanceof z.ZodError
    ? err.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')
    : String(err);
}

function defaultName(arConfig: { mode: string; dilations: number[] }): string {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return `${arConfig.mode} [${arConfig.dilations.join(',')}] ${when}`;
}

export function createTrainingService(deps: TrainingServiceDeps): TrainingService {
  const { store, jobs } = deps;
  const links = new RunJobLinks(store);

  const runFor = (runId: string) => (ctx: JobContext) =>
    runTraining(
      { store, events: deps.events, features: deps.features, session: deps.session },
      runId,
      ctx,
    );

  const start: TrainingService['start'] = (params) => {
    const actor = actorName(store, params.reviewerId);
    const backbone = chooseTrainingBackbone(store, params.backboneId);
    const grid = backboneGrid(backbone);
    // model.flipped asks for a partner; the main model itself reads the grid unflipped
    const { flipped, ...model } = params.model;
    let arConfig;
    let recipe;
    let partner: RunConfig['partner'];
    try {
      arConfig = parseArConfig({ ...model, inChannels: grid.channels });
      recipe = parseTrainRecipe(params.recipe);
      if (flipped) {
        partner = {
          arConfig: parseArConfig({ ...arConfig, flipped: true }),
          recipe: parseTrainRecipe({ ...recipe, seed: partnerSeed(recipe.seed) }),
        };
      }
    } catch (err) {
      throw new NormscopeError('InvalidRequest', `invalid training settings: ${zodMessage(err)}`);
    }
    const selection = planSelection(store, params.normals, params.validationShare, recipe.seed);
    const config: RunConfig = {
      name: params.name ?? defaultName(arConfig),
      recipe,
      arConfig,
      preprocessing: {
        version: String(PREPROCESSING_VERSION),
        spec: preprocessingFor(store, backbone),
      },
      validationShare: params.validationShare,
      normals: params.normals,
      abnormalStudies: selection.abnormal,
      trainingSha256: selection.trainingSha256,
      validationSha256: selection.validationSha256,
      abnormalSha256: selection.abnormalSha256,
      ...(partner ? { partner } : {}),
    };
    const run = store.transaction(() => {
      const created = store.trainingRuns.create({
        backboneId: backbone.id,
        config: config as unknown as Record<string, unknown>,
        seed: recipe.seed,
        trainingStudies: selection.training,
        validationStudies: selection.validation,
        startedBy: actor,
      });
      store.audit.append({
        actor,
        action: 'training.start',
        objectIds: { trainingRunId: created.id, backboneId: backbone.id },
        details: {
          recipe,
          arConfig,
          ...(partner
            ? { partner: { arConfig: partner.arConfig, seed: partner.recipe.seed } }
            : {}),
          trainingStudies: selection.training.length,
          validationStudies: selection.validation.length,
          abnormalStudies: selection.abnormal.length,
          trainingSha256: selection.trainingSha256,
          validationSha256: selection.validationSha256,
        },
      });
      return created;
    });
    return queue(run.id, config.name);
  };

  const queue = (runId: string, name: string): { runId: string; jobId: string } => {
    let job;
    try {
      job = jobs.start({
        kind: 'train',
        title: `Training ${name}`,
        params: { runId },
        run: runFor(runId),
        pausable: true,
      });
    } catch (err) {
      store.trainingRuns.update(runId, { state: 'failed' });
      throw err;
    }
    links.link(runId, job.id);
    return { runId, jobId: job.id };
  };

  const continueRun: TrainingService['continueRun'] = (runId, reviewerId) => {
    const actor = actorName(store, reviewerId);
    const run = store.trainingRuns.get(runId);
    if (!run) throw new NormscopeError('NotFound', `training run ${runId} does not exist`);
    if (run.state !== 'failed' && run.state !== 'cancelled') {
      throw new NormscopeError(
        'Conflict',
        `training run ${runId} is ${run.state}; only a failed or cancelled run can be continued`,
      );
    }
    const metrics = runMetrics(run);
    // past the main model, a run continues in its partner's phase
    const inPartner = metrics.mainCheckpointSha256 !== undefined;
    const fromEpoch = inPartner
      ? (metrics.partnerEpochsDone ?? 0)
      : run.checkpointSha256
        ? metrics.epochsDone
        : 0;
    store.transaction(() => {
      store.trainingRuns.update(runId, { state: 'queued' });
      store.audit.append({
        actor,
        action: 'training.start',
        objectIds: { trainingRunId: runId, backboneId: run.backboneId },
        details: { continued: true, fromEpoch, ...(inPartner ? { partner: true } : {}) },
      });
    });
    return queue(runId, runConfig(run).name);
  };

  const mirror = (job: JobInfo): void => {
    if (job.kind !== 'train') return;
    const runId = links.runOfJob(job.id);
    const run = runId ? store.trainingRuns.get(runId) : undefined;
    if (!run || run.state === job.state || run.state === 'succeeded') return;
    // a succeeded job records its own end together with its model version
    if (job.state === 'succeeded') return;
    const ended = job.state === 'failed' || job.state === 'cancelled';
    store.transaction(() => {
      store.trainingRuns.update(run.id, {
        state: job.state,
        ...(job.error ? { metrics: { ...runMetrics(run), error: job.error } } : {}),
      });
      if (ended) {
        store.audit.append({
          actor: run.startedBy,
          action: 'training.end',
          objectIds: { trainingRunId: run.id },
          details: {
            outcome: job.state,
            error: job.error,
            epochsDone: runMetrics(run).epochsDone,
            ...(runConfig(run).partner
              ? { partnerEpochsDone: runMetrics(run).partnerEpochsDone ?? 0 }
              : {}),
          },
        });
      }
    });
  };
  // lives as long as the core's event bus
  deps.events.subscribe((event, payload) => {
    if (event === 'jobs.updated') mirror(payload as JobInfo);
  });

  return {
    start,
    continueRun,
    list: () => store.trainingRuns.list().map((run) => toRunInfo(store, run)),
    get(runId) {
      const run = store.trainingRuns.get(runId);
      if (!run) throw new NormscopeError('NotFound', `training run ${runId} does not exist`);
      return toRunInfo(store, run);
    },
    resumer: (params) => {
      const { runId } = JobParams.parse(params);
      if (!store.trainingRuns.get(runId))
        throw new NormscopeError('NotFound', `training run ${runId} does not exist`);
      return { run: runFor(runId), pausable: true };
    },
  };
}

/** What the Training page pre-fills: the contract's defaults (the paper's recipe) and the minimum. */
export function trainingDefaults(): {
  recipe: ParsedParams<'training.start'>['recipe'];
  model: ParsedParams<'training.start'>['model'];
  validationShare: number;
  minimum: { studies: number; trainingFrames: number };
} {
  const parsed = TrainingStartParams.parse({ normals: 'all' });
  return {
    recipe: parsed.recipe,
    model: parsed.model,
    validationShare: parsed.validationShare,
    minimum: { studies: MIN_NORMAL_STUDIES, trainingFrames: MIN_TRAINING_FRAMES },
  };
}
