/**
 * How a training run is kept in the store's training_runs table and shown
 * through the API. The row's `config` holds everything fixed at start (name,
 * recipe, AR config, preprocessing, the normal-set spec and the studies'
 * hashes); `curves` and `metrics` grow with each epoch.
 *
 * A run with a flipped partner trains in two phases: the main model, then the
 * partner. The row's `checkpointSha256` is always the checkpoint of the phase
 * in progress; once the main model is done its last checkpoint is kept apart
 * (metrics.mainCheckpointSha256), so the partner phase, resumed or not, never
 * trains the main model again. The partner's curves sit under `curves.partner`.
 */
import type { TrainingCurves, TrainingPartnerInfo, TrainingRunInfo } from '../api/contract';
import type { ArConfig } from '../ml/ar/config';
import type { PreprocessingSpec } from '../ml/preprocess';
import type { TrainRecipe } from '../ml/train/recipe';
import type { TrainingRun } from '../store/repositories/training-runs-repository';
import type { Store } from '../store/store';
import type { NormalSpec, StudyEntry } from './selection';

export interface RunConfig {
  name: string;
  recipe: TrainRecipe;
  arConfig: ArConfig;
  preprocessing: { version: string; spec: PreprocessingSpec };
  validationShare: number;
  normals: NormalSpec;
  abnormalStudies: StudyEntry[];
  trainingSha256: string;
  validationSha256: string;
  abnormalSha256: string;
  /**
   * Causal runs asked for a flipped partner: its config (flipped: true) and
   * recipe (the run's, with partnerSeed). Absent otherwise.
   */
  partner?: { arConfig: ArConfig; recipe: TrainRecipe };
}

export interface RunMetrics {
  /** the main model's epochs at its last checkpoint */
  epochsDone: number;
  error: { name: string; message: string } | null;
  /** each time the run continued from a checkpoint (pause, restart): the epochs it had done, and in which phase */
  resumes: { epoch: number; at: string; partner?: boolean }[];
  /** runs with a partner: the partner's epochs at its last checkpoint */
  partnerEpochsDone?: number;
  /** runs with a partner, once the main model is done: its last checkpoint (weights and curves) */
  mainCheckpointSha256?: string;
  [key: string]: unknown;
}

export const EMPTY_CURVES: TrainingCurves = { trainLoss: [], valLoss: [], valAupr: [] };

/**
 * The partner's seed: the run's plus one (wrapping within the contract's
 * range), so the two models start from different weights and see different
 * batch orders and noise, yet a rerun with the same seed makes the same pair.
 */
export function partnerSeed(seed: number): number {
  return (seed + 1) % 2 ** 31;
}

export function runConfig(run: TrainingRun): RunConfig {
  return run.config as unknown as RunConfig;
}

function curvesFrom(curves: Partial<TrainingCurves> | null | undefined): TrainingCurves {
  return {
    trainLoss: curves?.trainLoss ?? [],
    valLoss: curves?.valLoss ?? [],
    valAupr: curves?.valAupr ?? [],
  };
}

/** The main model's curves. */
export function runCurves(run: TrainingRun): TrainingCurves {
  return curvesFrom(run.curves as Partial<TrainingCurves> | null);
}

/** The partner's curves (empty before its first epoch); null for a run without a partner. */
export function runPartnerCurves(run: TrainingRun): TrainingCurves | null {
  if (!runConfig(run).partner) return null;
  return curvesFrom((run.curves as { partner?: Partial<TrainingCurves> } | null)?.partner);
}

/** What the curves column holds: the main model's curves, the partner's nested. */
export function storedCurves(
  main: TrainingCurves,
  partner: TrainingCurves | null,
): Record<string, unknown> {
  return partner ? { ...main, partner } : { ...main };
}

export function runMetrics(run: TrainingRun): RunMetrics {
  const metrics = (run.metrics ?? {}) as Partial<RunMetrics>;
  return {
    ...metrics,
    epochsDone: metrics.epochsDone ?? 0,
    error: metrics.error ?? null,
    resumes: metrics.resumes ?? [],
  };
}

function partnerInfo(run: TrainingRun): TrainingPartnerInfo | null {
  const partner = runConfig(run).partner;
  if (!partner) return null;
  return {
    model: partner.arConfig as unknown as Record<string, unknown>,
    seed: partner.recipe.seed,
    curves: runPartnerCurves(run) ?? EMPTY_CURVES,
    epochsDone: runMetrics(run).partnerEpochsDone ?? 0,
  };
}

/**
 * The job of a run is only known once the job is queued, after the run's row
 * exists; these prepared statements link the two (the repository's patch does
 * not cover the job column).
 */
export class RunJobLinks {
  private readonly setJob;
  private readonly selectByJob;

  constructor(store: Pick<Store, 'db'>) {
    this.setJob = store.db.prepare<[string, string]>(
      'UPDATE training_runs SET job_id = ? WHERE id = ?',
    );
    this.selectByJob = store.db.prepare<[string], { id: string }>(
      'SELECT id FROM training_runs WHERE job_id = ?',
    );
  }

  link(runId: string, jobId: string): void {
    this.setJob.run(jobId, runId);
  }

  runOfJob(jobId: string): string | undefined {
    return this.selectByJob.get(jobId)?.id;
  }
}

export function toRunInfo(store: Pick<Store, 'models'>, run: TrainingRun): TrainingRunInfo {
  const config = runConfig(run);
  const backbone = store.models.getBackbone(run.backboneId);
  const metrics = runMetrics(run);
  return {
    id: run.id,
    jobId: run.jobId,
    state: run.state,
    name: config.name,
    backbone: {
      id: run.backboneId,
      name: backbone?.name ?? 'missing backbone',
      sha256: backbone?.sha256 ?? '',
      standIn: backbone?.standIn ?? false,
    },
    recipe: config.recipe,
    model: config.arConfig as unknown as Record<string, unknown>,
    validationShare: config.validationShare,
    normals: Array.isArray(config.normals)
      ? [...config.normals]
      : (config.normals as 'all' | 'verdict:normal'),
    trainingStudies: run.trainingStudies as StudyEntry[],
    validationStudies: run.validationStudies as StudyEntry[],
    abnormalStudies: config.abnormalStudies,
    trainingSha256: config.trainingSha256,
    validationSha256: config.validationSha256,
    curves: runCurves(run),
    epochsDone: metrics.epochsDone,
    partner: partnerInfo(run),
    resumes: metrics.resumes,
    error: metrics.error,
    modelVersionId: run.modelVersionId,
    startedBy: run.startedBy,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}
