/**
 * What the viewer reads about scores: one frame's anomaly map, a series'
 * per-frame scores (the score strip), a study's series scores, each with the
 * run that made them (its provenance) and the model's current threshold. When
 * no run is named, the latest run of the active model that scored the object
 * is read, else the latest run of any model.
 */
import type {
  AnomalyMapView,
  ScoringRunInfo,
  SeriesScores,
  StudyScores,
} from '../api/contract/engine';
import { NormscopeError } from '../api/errors';
import { decodeFloat16 } from '../ml/float16';
import type { ScoringRun } from '../store/repositories/scoring-repository';
import type { Store } from '../store/store';

const PREFER_ACTIVE =
  'ORDER BY (r.model_version_id = @active) DESC, r.started_at DESC, r.rowid DESC LIMIT 1';

function activeId(store: Store): string {
  return store.models.activeModelVersion()?.id ?? '';
}

function runInfo(store: Store, run: ScoringRun): ScoringRunInfo {
  return {
    id: run.id,
    modelVersionId: run.modelVersionId,
    modelName: store.models.getModelVersion(run.modelVersionId)?.name ?? run.modelVersionId,
    backboneSha256: run.backboneSha256,
    onnxruntimeVersion: run.onnxruntimeVersion,
    provider: run.provider,
    threads: run.threads,
    options: run.options,
    state: run.state,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

function thresholdOf(store: Store, modelVersionId: string): AnomalyMapView['threshold'] {
  const current = store.thresholds.current(modelVersionId);
  return current
    ? {
        id: current.id,
        pixelThreshold: current.pixelThreshold,
        imageThreshold: current.imageThreshold,
      }
    : null;
}

/** The named run (NotFound when it does not exist), or the one `pick` finds. */
function chooseRun(
  store: Store,
  runId: string | undefined,
  pick: () => string | undefined,
): ScoringRun | undefined {
  if (runId !== undefined) {
    const run = store.scoring.getRun(runId);
    if (!run) throw new NormscopeError('NotFound', `scoring run ${runId} does not exist`);
    return run;
  }
  const picked = pick();
  return picked === undefined ? undefined : store.scoring.getRun(picked);
}

/** One frame's anomaly map with its image score, or null when no run scored it. */
export function anomalyMapView(
  store: Store,
  query: { sopInstanceUid: string; frame: number; runId?: string },
): AnomalyMapView | null {
  const run = chooseRun(
    store,
    query.runId,
    () =>
      store.db
        .prepare<{ sop: string; frame: number; active: string }, { id: string }>(
          `SELECT r.id FROM anomaly_maps m JOIN scoring_runs r ON r.id = m.scoring_run_id
         WHERE m.sop_instance_uid = @sop AND m.frame = @frame ${PREFER_ACTIVE}`,
        )
        .get({ sop: query.sopInstanceUid, frame: query.frame, active: activeId(store) })?.id,
  );
  if (!run) return null;
  const map = store.scoring.getMap(run.id, query.sopInstanceUid, query.frame);
  if (!map) return null;
  return {
    sopInstanceUid: map.sopInstanceUid,
    frame: map.frame,
    gridH: map.gridH,
    gridW: map.gridW,
    values: Array.from(decodeFloat16(map.map)),
    imageScore: map.imageScore,
    run: runInfo(store, run),
    threshold: thresholdOf(store, run.modelVersionId),
  };
}

/** Per-frame image scores of a series in slice order, and its series score; null when never scored. */
export function seriesScoresView(
  store: Store,
  query: { seriesUid: string; runId?: string },
): SeriesScores | null {
  const run = chooseRun(
    store,
    query.runId,
    () =>
      store.db
        .prepare<{ series: string; active: string }, { id: string }>(
          `SELECT r.id FROM scoring_runs r
         WHERE EXISTS (SELECT 1 FROM anomaly_maps m JOIN instances i ON i.sop_instance_uid = m.sop_instance_uid
                       WHERE m.scoring_run_id = r.id AND i.series_uid = @series) ${PREFER_ACTIVE}`,
        )
        .get({ series: query.seriesUid, active: activeId(store) })?.id,
  );
  if (!run) return null;
  const frames = store.scoring.imageScores(run.id, query.seriesUid);
  if (frames.length === 0) return null;
  const seriesScore = store.db
    .prepare<[string, string], { score: number }>(
      'SELECT score FROM series_scores WHERE scoring_run_id = ? AND series_uid = ?',
    )
    .get(run.id, query.seriesUid)?.score;
  return {
    seriesUid: query.seriesUid,
    seriesScore: seriesScore ?? null,
    frames,
    run: runInfo(store, run),
    threshold: thresholdOf(store, run.modelVersionId),
  };
}

/** A study's score and its series' scores from one run; null when never scored. */
export function studyScoresView(
  store: Store,
  query: { studyUid: string; runId?: string },
): StudyScores | null {
  const run = chooseRun(
    store,
    query.runId,
    () =>
      store.db
        .prepare<{ study: string; active: string }, { id: string }>(
          `SELECT r.id FROM scoring_runs r
         WHERE EXISTS (SELECT 1 FROM series_scores ss JOIN series s ON s.series_uid = ss.series_uid
                       WHERE ss.scoring_run_id = r.id AND s.study_uid = @study) ${PREFER_ACTIVE}`,
        )
        .get({ study: query.studyUid, active: activeId(store) })?.id,
  );
  if (!run) return null;
  const series = store.db
    .prepare<[string, string], { series_uid: string; score: number }>(
      `SELECT ss.series_uid, ss.score FROM series_scores ss JOIN series s ON s.series_uid = ss.series_uid
       WHERE ss.scoring_run_id = ? AND s.study_uid = ? ORDER BY s.series_number IS NULL, s.series_number, s.series_uid`,
    )
    .all(run.id, query.studyUid)
    .map((row) => ({ seriesUid: row.series_uid, score: row.score }));
  if (series.length === 0) return null;
  const studyScore = store.db
    .prepare<[string, string], { score: number }>(
      'SELECT score FROM study_scores WHERE scoring_run_id = ? AND study_uid = ?',
    )
    .get(run.id, query.studyUid)?.score;
  return {
    studyUid: query.studyUid,
    studyScore: studyScore ?? null,
    series,
    run: runInfo(store, run),
    threshold: thresholdOf(store, run.modelVersionId),
  };
}
