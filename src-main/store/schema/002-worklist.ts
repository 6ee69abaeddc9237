import type { SqliteDatabase } from '../db';

/*
 * The worklist reads every study with its current verdict (the latest one no
 * other verdict supersedes) and its latest study score. The indexes keep both
 * look-ups per study logarithmic, so the worklist stays fast with many verdicts
 * and scoring runs.
 */
const WORKLIST = `
CREATE INDEX verdicts_study_latest ON verdicts(study_uid, id);
CREATE INDEX study_scores_study_latest ON study_scores(study_uid, scored_at);

CREATE VIEW current_verdicts AS
SELECT v.* FROM verdicts v
WHERE NOT EXISTS (SELECT 1 FROM verdicts later WHERE later.supersedes_id = v.id)
  AND v.id = (
    SELECT c.id FROM verdicts c
    WHERE c.study_uid = v.study_uid
      AND NOT EXISTS (SELECT 1 FROM verdicts l WHERE l.supersedes_id = c.id)
    ORDER BY c.id DESC LIMIT 1
  );

CREATE VIEW study_worklist AS
SELECT
  s.study_uid, s.study_date, s.study_time, s.description, s.accession_number, s.modalities,
  p.patient_id, p.name AS patient_name, p.birth_date AS patient_birth_date, p.sex AS patient_sex,
  (SELECT count(*) FROM series se WHERE se.study_uid = s.study_uid) AS series_count,
  (SELECT count(*) FROM instances i JOIN series se ON se.series_uid = i.series_uid
    WHERE se.study_uid = s.study_uid) AS instance_count,
  cv.id AS verdict_id, cv.verdict, cv.reviewer_id AS verdict_reviewer_id, cv.created_at AS verdict_at,
  sc.score AS study_score, sc.scoring_run_id, sc.scored_at, sr.model_version_id AS score_model_version_id
FROM studies s
JOIN patients p ON p.id = s.patient_ref
LEFT JOIN current_verdicts cv ON cv.study_uid = s.study_uid
LEFT JOIN study_scores sc ON sc.rowid = (
  SELECT x.rowid FROM study_scores x WHERE x.study_uid = s.study_uid
  ORDER BY x.scored_at DESC, x.rowid DESC LIMIT 1
)
LEFT JOIN scoring_runs sr ON sr.id = sc.scoring_run_id;
`;

export function createWorklistView(db: SqliteDatabase): void {
  db.exec(WORKLIST);
}
