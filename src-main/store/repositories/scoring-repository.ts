import { randomUUID } from 'node:crypto';
import { NormscopeError } from '../../api/errors';
import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, systemClock, toJson } from '../json-columns';

export type ScoringRunState =
  'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

export interface ScoringRun {
  id: string;
  jobId: string | null;
  modelVersionId: string;
  backboneSha256: string;
  onnxruntimeVersion: string;
  /** execution provider that ran: 'cuda', 'dml', 'coreml', 'cpu' ... */
  provider: string;
  threads: number;
  /** e.g. { imageScore: 'max' } or { imageScore: 'topk-mean', k: 10 } */
  options: Record<string, unknown>;
  state: ScoringRunState;
  startedAt: string;
  finishedAt: string | null;
}

export type ScoringRunInput = Omit<
  ScoringRun,
  'id' | 'state' | 'startedAt' | 'finishedAt' | 'jobId' | 'options'
> & {
  jobId?: string | null;
  options?: Record<string, unknown>;
};

/** One frame's patch-grid anomaly map. */
export interface AnomalyMap {
  sopInstanceUid: string;
  /** 0-based frame of a multi-frame instance */
  frame: number;
  gridH: number;
  gridW: number;
  /** float16 bit patterns, row-major [gridH, gridW]: mean squared feature error per patch */
  map: Uint16Array;
  imageScore: number;
}

interface RunRow {
  id: string;
  job_id: string | null;
  model_version_id: string;
  backbone_sha256: string;
  onnxruntime_version: string;
  provider: string;
  threads: number;
  options: string;
  state: ScoringRunState;
  started_at: string;
  finished_at: string | null;
}

interface MapRow {
  sop_instance_uid: string;
  frame: number;
  grid_h: number;
  grid_w: number;
  map: Buffer;
  image_score: number;
}

/** Scoring runs and what they produce: per-frame maps and scores, series and study scores. */
export class ScoringRepository {
  private readonly insertRun;
  private readonly selectRun;
  private readonly updateState;
  private readonly upsertMap;
  private readonly selectMap;
  private readonly selectSeriesImageScores;
  private readonly upsertSeriesScore;
  private readonly upsertStudyScore;
  private readonly selectScoredInstances;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insertRun = db.prepare(
      `INSERT INTO scoring_runs (id, job_id, model_version_id, backbone_sha256, onnxruntime_version, provider, threads,
         options, state, started_at)
       VALUES (@id, @job_id, @model_version_id, @backbone_sha256, @onnxruntime_version, @provider, @threads,
         @options, 'running', @started_at)`,
    );
    this.selectRun = db.prepare<[string], RunRow>('SELECT * FROM scoring_runs WHERE id = ?');
    this.updateState = db.prepare<[ScoringRunState, string | null, string]>(
      'UPDATE scoring_runs SET state = ?, finished_at = ? WHERE id = ?',
    );
    // a resumed run may score a frame again: the newer map replaces the older
    this.upsertMap = db.prepare(
      `INSERT INTO anomaly_maps (scoring_run_id, sop_instance_uid, frame, grid_h, grid_w, map, image_score)
       VALUES (@run, @sop, @frame, @grid_h, @grid_w, @map, @image_score)
       ON CONFLICT (scoring_run_id, sop_instance_uid, frame) DO UPDATE SET
         grid_h = excluded.grid_h, grid_w = excluded.grid_w, map = excluded.map, image_score = excluded.image_score`,
    );
    this.selectMap = db.prepare<[string, string, number], MapRow>(
      'SELECT * FROM anomaly_maps WHERE scoring_run_id = ? AND sop_instance_uid = ? AND frame = ?',
    );
    this.selectSeriesImageScores = db.prepare<
      [string, string],
      { sop_instance_uid: string; frame: number; image_score: number }
    >(
      `SELECT m.sop_instance_uid, m.frame, m.image_score FROM anomaly_maps m
       JOIN instances i ON i.sop_instance_uid = m.sop_instance_uid
       WHERE m.scoring_run_id = ? AND i.series_uid = ?
       ORDER BY i.position_along_normal IS NULL, i.position_along_normal, i.instance_number, m.sop_instance_uid, m.frame`,
    );
    this.upsertSeriesScore = db.prepare<[string, string, number, string]>(
      `INSERT INTO series_scores (scoring_run_id, series_uid, score, scored_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (scoring_run_id, series_uid) DO UPDATE SET score = excluded.score, scored_at = excluded.scored_at`,
    );
    this.upsertStudyScore = db.prepare<[string, string, number, string]>(
      `INSERT INTO study_scores (scoring_run_id, study_uid, score, scored_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (scoring_run_id, study_uid) DO UPDATE SET score = excluded.score, scored_at = excluded.scored_at`,
    );
    this.selectScoredInstances = db.prepare<[string], { sop_instance_uid: string }>(
      'SELECT DISTINCT sop_instance_uid FROM anomaly_maps WHERE scoring_run_id = ?',
    );
  }

  startRun(input: ScoringRunInput): ScoringRun {
    const id = randomUUID();
    this.insertRun.run({
      id,
      job_id: input.jobId ?? null,
      model_version_id: input.modelVersionId,
      backbone_sha256: input.backboneSha256,
      onnxruntime_version: input.onnxruntimeVersion,
      provider: input.provider,
      threads: input.threads,
      options: toJson(input.options ?? {}, 'scoring options'),
      started_at: this.now(),
    });
    return this.getRun(id) as ScoringRun;
  }

  getRun(id: string): ScoringRun | undefined {
    const row = this.selectRun.get(id);
    return row && toRun(row);
  }

  /** Moves a run to a new state; the end states stamp finishedAt. */
  setState(id: string, state: ScoringRunState): ScoringRun {
    const ended = state === 'succeeded' || state === 'failed' || state === 'cancelled';
    const result = this.updateState.run(state, ended ? this.now() : null, id);
    if (result.changes === 0)
      throw new NormscopeError('NotFound', `scoring run ${id} does not exist`);
    return this.getRun(id) as ScoringRun;
  }

  /** Stores a batch of frame maps in one transaction. */
  putMaps(scoringRunId: string, maps: readonly AnomalyMap[]): void {
    inTransaction(this.db, () => {
      for (const map of maps) {
        if (map.map.length !== map.gridH * map.gridW) {
          throw new NormscopeError(
            'Internal',
            `anomaly map of ${map.sopInstanceUid} frame ${map.frame} has ${map.map.length} values for a ${map.gridH}x${map.gridW} grid`,
          );
        }
        this.upsertMap.run({
          run: scoringRunId,
          sop: map.sopInstanceUid,
          frame: map.frame,
          grid_h: map.gridH,
          grid_w: map.gridW,
          map: float16ToBytes(map.map),
          image_score: map.imageScore,
        });
      }
    });
  }

  getMap(scoringRunId: string, sopInstanceUid: string, frame: number): AnomalyMap | undefined {
    const row = this.selectMap.get(scoringRunId, sopInstanceUid, frame);
    return (
      row && {
        sopInstanceUid: row.sop_instance_uid,
        frame: row.frame,
        gridH: row.grid_h,
        gridW: row.grid_w,
        map: bytesToFloat16(row.map),
        imageScore: row.image_score,
      }
    );
  }

  /** Per-frame image scores of a series in slice order: the viewer's score strip. */
  imageScores(
    scoringRunId: string,
    seriesUid: string,
  ): Array<{ sopInstanceUid: string; frame: number; imageScore: number }> {
    return this.selectSeriesImageScores.all(scoringRunId, seriesUid).map((row) => ({
      sopInstanceUid: row.sop_instance_uid,
      frame: row.frame,
      imageScore: row.image_score,
    }));
  }

  /** Instances that already have a map in this run (a resumed run skips them). */
  scoredInstances(scoringRunId: string): Set<string> {
    return new Set(this.selectScoredInstances.all(scoringRunId).map((row) => row.sop_instance_uid));
  }

  putSeriesScore(scoringRunId: string, seriesUid: string, score: number): void {
    this.upsertSeriesScore.run(scoringRunId, seriesUid, score, this.now());
  }

  putStudyScore(scoringRunId: string, studyUid: string, score: number): void {
    this.upsertStudyScore.run(scoringRunId, studyUid, score, this.now());
  }
}

/** float16 bit patterns to little-endian bytes, whatever the host's byte order. */
function float16ToBytes(values: Uint16Array): Buffer {
  const bytes = Buffer.alloc(values.length * 2);
  for (let i = 0; i < values.length; i += 1) bytes.writeUInt16LE(values[i] as number, i * 2);
  return bytes;
}

function bytesToFloat16(bytes: Buffer): Uint16Array {
  const values = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < values.length; i += 1) values[i] = bytes.readUInt16LE(i * 2);
  return values;
}

function toRun(row: RunRow): ScoringRun {
  return {
    id: row.id,
    jobId: row.job_id,
    modelVersionId: row.model_version_id,
    backboneSha256: row.backbone_sha256,
    onnxruntimeVersion: row.onnxruntime_version,
    provider: row.provider,
    threads: row.threads,
    options: fromJson(row.options) as Record<string, unknown>,
    state: row.state,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
