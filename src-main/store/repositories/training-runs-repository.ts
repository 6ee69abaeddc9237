import { randomUUID } from 'node:crypto';
import type { JobState } from '../../api/contract';
import { NormscopeError } from '../../api/errors';
import type { SqliteDatabase } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, systemClock, toJson } from '../json-columns';

export interface TrainingRun {
  id: string;
  jobId: string | null;
  backboneId: string;
  state: JobState;
  /** the full recipe: mode, lr, batch size, epochs, warm-up, noise ... */
  config: Record<string, unknown>;
  seed: number;
  /** study UIDs (with content hashes where the caller records them) trained on and held out */
  trainingStudies: unknown[];
  validationStudies: unknown[];
  /** per-epoch curves, e.g. { trainLoss: [...], validationLoss: [...] } */
  curves: unknown;
  metrics: unknown;
  /** the last good checkpoint in the content store */
  checkpointSha256: string | null;
  /** the model version the run produced */
  modelVersionId: string | null;
  startedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export type TrainingRunInput = Pick<
  TrainingRun,
  'backboneId' | 'config' | 'seed' | 'trainingStudies' | 'validationStudies' | 'startedBy'
> & { jobId?: string | null };

/** What a step of training changes; omitted fields stay as they are. */
export type TrainingRunPatch = Partial<
  Pick<TrainingRun, 'state' | 'curves' | 'metrics' | 'checkpointSha256' | 'modelVersionId'>
>;

interface TrainingRunRow {
  id: string;
  job_id: string | null;
  backbone_id: string;
  state: JobState;
  config: string;
  seed: number;
  training_studies: string;
  validation_studies: string;
  curves: string;
  metrics: string;
  checkpoint_sha256: string | null;
  model_version_id: string | null;
  started_by: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const END_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

/** Training runs: their recipe, the studies they used, progress curves and the checkpoint to resume from. */
export class TrainingRunsRepository {
  private readonly insert;
  private readonly updateStatement;
  private readonly selectById;
  private readonly selectAll;

  constructor(
    db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO training_runs (id, job_id, backbone_id, state, config, seed, training_studies, validation_studies,
         started_by, created_at, updated_at)
       VALUES (@id, @job_id, @backbone_id, 'queued', @config, @seed, @training_studies, @validation_studies,
         @started_by, @at, @at)`,
    );
    this.updateStatement = db.prepare(
      `UPDATE training_runs SET
         state = coalesce(@state, state), curves = coalesce(@curves, curves), metrics = coalesce(@metrics, metrics),
         checkpoint_sha256 = coalesce(@checkpoint_sha256, checkpoint_sha256),
         model_version_id = coalesce(@model_version_id, model_version_id),
         updated_at = @at, finished_at = CASE WHEN @ended = 1 THEN @at ELSE finished_at END
       WHERE id = @id`,
    );
    this.selectById = db.prepare<[string], TrainingRunRow>(
      'SELECT * FROM training_runs WHERE id = ?',
    );
    this.selectAll = db.prepare<[], TrainingRunRow>(
      'SELECT * FROM training_runs ORDER BY created_at DESC, id',
    );
  }

  create(input: TrainingRunInput): TrainingRun {
    const id = randomUUID();
    this.insert.run({
      id,
      job_id: input.jobId ?? null,
      backbone_id: input.backboneId,
      config: toJson(input.config, 'training config'),
      seed: input.seed,
      training_studies: toJson(input.trainingStudies, 'training studies'),
      validation_studies: toJson(input.validationStudies, 'validation studies'),
      started_by: input.startedBy,
      at: this.now(),
    });
    return this.get(id) as TrainingRun;
  }

  update(id: string, patch: TrainingRunPatch): TrainingRun {
    const result = this.updateStatement.run({
      id,
      state: patch.state ?? null,
      curves:
        patch.curves === undefined ? null : toJson(patch.curves, `curves of training run ${id}`),
      metrics:
        patch.metrics === undefined ? null : toJson(patch.metrics, `metrics of training run ${id}`),
      checkpoint_sha256: patch.checkpointSha256 ?? null,
      model_version_id: patch.modelVersionId ?? null,
      ended: patch.state !== undefined && END_STATES.includes(patch.state) ? 1 : 0,
      at: this.now(),
    });
    if (result.changes === 0)
      throw new NormscopeError('NotFound', `training run ${id} does not exist`);
    return this.get(id) as TrainingRun;
  }

  get(id: string): TrainingRun | undefined {
    const row = this.selectById.get(id);
    return row && toTrainingRun(row);
  }

  /** Newest first. */
  list(): TrainingRun[] {
    return this.selectAll.all().map(toTrainingRun);
  }
}

function toTrainingRun(row: TrainingRunRow): TrainingRun {
  return {
    id: row.id,
    jobId: row.job_id,
    backboneId: row.backbone_id,
    state: row.state,
    config: fromJson(row.config) as Record<string, unknown>,
    seed: row.seed,
    trainingStudies: fromJson(row.training_studies) as unknown[],
    validationStudies: fromJson(row.validation_studies) as unknown[],
    curves: fromJson(row.curves),
    metrics: fromJson(row.metrics),
    checkpointSha256: row.checkpoint_sha256,
    modelVersionId: row.model_version_id,
    startedBy: row.started_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
