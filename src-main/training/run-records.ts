/**
 * How a training run is kept in the store's training_runs table and shown
 * through the API. The row's `config` holds everything fixed at start (name,
 * recipe, AR config, preprocessing, the normal-set spec and the studies'
 * hashes); `curves` and `metrics` grow with each epoch.
 */
import type { TrainingCurves, TrainingRunInfo } from '../api/contract';
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
}

export interface RunMetrics {
  epochsDone: number;
  error: { name: string; message: string } | null;
  /** each time the run continued from a checkpoint (pause, restart): the epochs it had done */
  resumes: { epoch: number; at: string }[];
  [key: string]: unknown;
}

export const EMPTY_CURVES: TrainingCurves = { trainLoss: [], valLoss: [], valAupr: [] };

export function runConfig(run: TrainingRun): RunConfig {
  return run.config as unknown as RunConfig;
}

export function runCurves(run: TrainingRun): TrainingCurves {
  const curves = run.curves as Partial<TrainingCurves> | null;
  return {
    trainLoss: curves?.trainLoss ?? [],
    valLoss: curves?.valLoss ?? [],
    valAupr: curves?.valAupr ?? [],
  };
}

export function runMetrics(run: TrainingRun): RunMetrics {
  const metrics = (run.metrics ?? {}) as Partial<RunMetrics>;
  return { ...metrics, epochsDone: metrics.epochsDone ?? 0, error: metrics.error ?? null, resumes: metrics.resumes ?? [] };
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
    this.setJob = store.db.prepare<[string, string]>('UPDATE training_runs SET job_id = ? WHERE id = ?');
    this.selectByJob = store.db.prepare<[string], { id: string }>('SELECT id FROM training_runs WHERE job_id = ?');
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
    normals: Array.isArray(config.normals) ? [...config.normals] : (config.normals as 'all' | 'verdict:normal'),
    trainingStudies: run.trainingStudies as StudyEntry[],
    validationStudies: run.validationStudies as StudyEntry[],
    abnormalStudies: config.abnormalStudies,
    trainingSha256: config.trainingSha256,
    validationSha256: config.validationSha256,
    curves: runCurves(run),
    epochsDone: metrics.epochsDone,
    resumes: metrics.resumes,
    error: metrics.error,
    modelVersionId: run.modelVersionId,
    startedBy: run.startedBy,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}
