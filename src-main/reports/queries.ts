/**
 * What a report reads from the database, as prepared statements over the
 * store's schema (read only). Times are compared as ISO 8601 UTC text, which
 * orders like the instants it names.
 */
import type { SqliteDatabase } from '../store/db';
import type { VerdictValue } from './model';

/** A half-open window of stored timestamps: from <= t < until. */
export interface TimeWindow {
  from: string;
  until: string;
}

export interface ScoreInScope {
  score: number;
  scoredAt: string;
  scoringRunId: string;
  modelVersionId: string;
}

export interface VerdictInScope {
  id: number;
  verdict: VerdictValue;
  reviewerId: string;
  reviewerName: string;
  createdAt: string;
  supersedesId: number | null;
  modelVersionId: string | null;
  thresholdId: number | null;
}

export interface ThresholdRow {
  id: number;
  model_version_id: string;
  pixel_threshold: number;
  image_threshold: number;
  method: string;
  created_at: string;
  created_by: string;
}

export class ReportQueries {
  private readonly studiesInScope;
  private readonly latestScore;
  private readonly verdictsInScope;
  private readonly thresholdAt;
  private readonly thresholdById;

  constructor(db: SqliteDatabase) {
    // studies with a verdict in the window (by the reviewer, when one is named) or, when no reviewer
    // is named, a score in the window (by the model, when one is named)
    this.studiesInScope = db.prepare<
      { from: string; until: string; reviewer: string | null; model: string | null },
      { study_uid: string }
    >(
      `SELECT v.study_uid FROM verdicts v
       WHERE v.created_at >= @from AND v.created_at < @until AND (@reviewer IS NULL OR v.reviewer_id = @reviewer)
       UNION
       SELECT ss.study_uid FROM study_scores ss JOIN scoring_runs r ON r.id = ss.scoring_run_id
       WHERE @reviewer IS NULL AND ss.scored_at >= @from AND ss.scored_at < @until
         AND (@model IS NULL OR r.model_version_id = @model)
       ORDER BY 1`,
    );
    this.latestScore = db.prepare<
      { study: string; until: string; model: string | null },
      { score: number; scored_at: string; scoring_run_id: string; model_version_id: string }
    >(
      `SELECT ss.score, ss.scored_at, ss.scoring_run_id, r.model_version_id
       FROM study_scores ss JOIN scoring_runs r ON r.id = ss.scoring_run_id
       WHERE ss.study_uid = @study AND ss.scored_at < @until AND (@model IS NULL OR r.model_version_id = @model)
       ORDER BY ss.scored_at DESC, ss.rowid DESC LIMIT 1`,
    );
    this.verdictsInScope = db.prepare<
      { study: string; from: string; until: string; reviewer: string | null },
      {
        id: number;
        verdict: VerdictValue;
        reviewer_id: string;
        reviewer_name: string;
        created_at: string;
        supersedes_id: number | null;
        model_version_id: string | null;
        threshold_id: number | null;
      }
    >(
      `SELECT v.id, v.verdict, v.reviewer_id, rv.name AS reviewer_name, v.created_at, v.supersedes_id,
         v.model_version_id, v.threshold_id
       FROM verdicts v JOIN reviewers rv ON rv.id = v.reviewer_id
       WHERE v.study_uid = @study AND v.created_at >= @from AND v.created_at < @until
         AND (@reviewer IS NULL OR v.reviewer_id = @reviewer)
       ORDER BY v.id`,
    );
    this.thresholdAt = db.prepare<[string, string], ThresholdRow>(
      'SELECT * FROM thresholds WHERE model_version_id = ? AND created_at <= ? ORDER BY id DESC LIMIT 1',
    );
    this.thresholdById = db.prepare<[number], ThresholdRow>(
      'SELECT * FROM thresholds WHERE id = ?',
    );
  }

  studyUids(
    window: TimeWindow,
    reviewerId: string | null,
    modelVersionId: string | null,
  ): string[] {
    return this.studiesInScope
      .all({ ...window, reviewer: reviewerId, model: modelVersionId })
      .map((row) => row.study_uid);
  }

  /** The study's latest score before the window ends (by the model, when one is named). */
  score(studyUid: string, until: string, modelVersionId: string | null): ScoreInScope | null {
    const row = this.latestScore.get({ study: studyUid, until, model: modelVersionId });
    return row
      ? {
          score: row.score,
          scoredAt: row.scored_at,
          scoringRunId: row.scoring_run_id,
          modelVersionId: row.model_version_id,
        }
      : null;
  }

  verdicts(studyUid: string, window: TimeWindow, reviewerId: string | null): VerdictInScope[] {
    return this.verdictsInScope
      .all({ study: studyUid, ...window, reviewer: reviewerId })
      .map((row) => ({
        id: row.id,
        verdict: row.verdict,
        reviewerId: row.reviewer_id,
        reviewerName: row.reviewer_name,
        createdAt: row.created_at,
        supersedesId: row.supersedes_id,
        modelVersionId: row.model_version_id,
        thresholdId: row.threshold_id,
      }));
  }

  /** The model's threshold version in force at `time`: the latest saved at or before it. */
  thresholdInForce(modelVersionId: string, time: string): ThresholdRow | undefined {
    return this.thresholdAt.get(modelVersionId, time);
  }

  threshold(id: number): ThresholdRow | undefined {
    return this.thresholdById.get(id);
  }
}
