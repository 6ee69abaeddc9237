import { NormscopeError } from '../../api/errors';
import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, systemClock, toJson } from '../json-columns';

export type VerdictValue = 'normal' | 'abnormal' | 'uncertain';

export interface Verdict {
  id: number;
  studyUid: string;
  /** set when the verdict concerns one series of the study */
  seriesUid: string | null;
  reviewerId: string;
  verdict: VerdictValue;
  comment: string;
  /** brush or polygon marks confirming an anomaly or marking a false positive; shape owned by the review UI */
  regionMarks: unknown[];
  modelVersionId: string | null;
  thresholdId: number | null;
  createdAt: string;
  /** the verdict this one replaces */
  supersedesId: number | null;
}

export interface VerdictInput {
  studyUid: string;
  seriesUid?: string | null;
  reviewerId: string;
  verdict: VerdictValue;
  comment?: string;
  regionMarks?: unknown[];
  /** the model and thresholds in force when the verdict was given */
  modelVersionId?: string | null;
  thresholdId?: number | null;
  supersedesId?: number | null;
}

interface VerdictRow {
  id: number;
  study_uid: string;
  series_uid: string | null;
  reviewer_id: string;
  verdict: VerdictValue;
  comment: string;
  region_marks: string;
  model_version_id: string | null;
  threshold_id: number | null;
  created_at: string;
  supersedes_id: number | null;
}

/**
 * Verdicts are append-only (the database refuses UPDATE and DELETE): a change
 * is a new verdict that supersedes the old one, so the history stays.
 */
export class VerdictsRepository {
  private readonly insert;
  private readonly selectById;
  private readonly selectSupersededBy;
  private readonly selectCurrent;
  private readonly selectHistory;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO verdicts (study_uid, series_uid, reviewer_id, verdict, comment, region_marks,
         model_version_id, threshold_id, created_at, supersedes_id)
       VALUES (@study_uid, @series_uid, @reviewer_id, @verdict, @comment, @region_marks,
         @model_version_id, @threshold_id, @created_at, @supersedes_id)`,
    );
    this.selectById = db.prepare<[number], VerdictRow>('SELECT * FROM verdicts WHERE id = ?');
    this.selectSupersededBy = db.prepare<[number], { id: number }>(
      'SELECT id FROM verdicts WHERE supersedes_id = ?',
    );
    this.selectCurrent = db.prepare<[string], VerdictRow>(
      `SELECT v.* FROM verdicts v
       WHERE v.study_uid = ? AND NOT EXISTS (SELECT 1 FROM verdicts l WHERE l.supersedes_id = v.id)
       ORDER BY v.id DESC LIMIT 1`,
    );
    this.selectHistory = db.prepare<[string], VerdictRow>(
      'SELECT * FROM verdicts WHERE study_uid = ? ORDER BY id',
    );
  }

  /**
   * Records a verdict. When it supersedes another, that one must be on the same
   * study and not yet superseded (Conflict otherwise).
   */
  append(input: VerdictInput): Verdict {
    return inTransaction(this.db, () => {
      const supersedesId = input.supersedesId ?? null;
      if (supersedesId !== null) this.checkSupersedable(supersedesId, input.studyUid);
      const result = this.insert.run({
        study_uid: input.studyUid,
        series_uid: input.seriesUid ?? null,
        reviewer_id: input.reviewerId,
        verdict: input.verdict,
        comment: input.comment ?? '',
        region_marks: toJson(
          input.regionMarks ?? [],
          `region marks of a verdict on study ${input.studyUid}`,
        ),
        model_version_id: input.modelVersionId ?? null,
        threshold_id: input.thresholdId ?? null,
        created_at: this.now(),
        supersedes_id: supersedesId,
      });
      return this.get(Number(result.lastInsertRowid)) as Verdict;
    });
  }

  get(id: number): Verdict | undefined {
    const row = this.selectById.get(id);
    return row && toVerdict(row);
  }

  /** The study's current verdict: the latest one that no other verdict supersedes. */
  current(studyUid: string): Verdict | undefined {
    const row = this.selectCurrent.get(studyUid);
    return row && toVerdict(row);
  }

  /** Every verdict ever given on the study, oldest first. */
  history(studyUid: string): Verdict[] {
    return this.selectHistory.all(studyUid).map(toVerdict);
  }

  private checkSupersedable(id: number, studyUid: string): void {
    const previous = this.selectById.get(id);
    if (!previous)
      throw new NormscopeError('NotFound', `verdict ${id} to supersede does not exist`);
    if (previous.study_uid !== studyUid) {
      throw new NormscopeError(
        'Conflict',
        `verdict ${id} is on another study and cannot be superseded by a verdict on this one`,
      );
    }
    const later = this.selectSupersededBy.get(id);
    if (later)
      throw new NormscopeError(
        'Conflict',
        `verdict ${id} was already superseded by verdict ${later.id}`,
      );
  }
}

function toVerdict(row: VerdictRow): Verdict {
  return {
    id: row.id,
    studyUid: row.study_uid,
    seriesUid: row.series_uid,
    reviewerId: row.reviewer_id,
    verdict: row.verdict,
    comment: row.comment,
    regionMarks: fromJson(row.region_marks) as unknown[],
    modelVersionId: row.model_version_id,
    thresholdId: row.threshold_id,
    createdAt: row.created_at,
    supersedesId: row.supersedes_id,
  };
}
