/**
 * Thresholds per model version: calibration on held-out normal studies,
 * performance of the AI flags against verdicts, and saving a new version
 * (audited). Pixel values are the anomaly map upsampled 2x per axis
 * (bilinear, align_corners=false) so calibration sees the interpolated values
 * the overlay thresholds, at a cost that stays small for thousands of frames.
 */
import { upsampleMap, float16ToFloat32 } from '../../src-common/imaging/upsample';
import type { Calibration, Performance } from '../api/contract/review';
import type { ThresholdView } from '../api/contract/studies';
import { NormscopeError } from '../api/errors';
import { float16BitsFromBytes } from '../ml/float16';
import { confusionAtThreshold, rankScores, rocCurveFromRanked, aurocFromRanked, thresholdAtFalsePositiveRate } from '../ml/metrics';
import type { Store } from '../store/store';

type ThresholdStore = Pick<
  Store,
  'db' | 'transaction' | 'audit' | 'thresholds' | 'models' | 'reviewers' | 'trainingRuns' | 'studies'
>;

const PIXEL_UPSAMPLING = 2;
const HISTOGRAM_BINS = 20;

interface MapRow {
  map: Buffer;
  grid_h: number;
  grid_w: number;
  image_score: number;
}

function requireModel(store: ThresholdStore, modelVersionId: string): void {
  if (!store.models.getModelVersion(modelVersionId)) {
    throw new NormscopeError('NotFound', `model version ${modelVersionId} does not exist`);
  }
}

/** Studies known normal: current verdict normal, or held out for validation by the run that trained this model. */
function normalStudies(store: ThresholdStore, modelVersionId: string): { uids: Set<string>; sources: Calibration['sources'] } {
  const uids = new Set<string>();
  const sources = new Set<Calibration['sources'][number]>();
  for (const row of store.studies.listWorklist()) {
    if (row.verdict?.value === 'normal') {
      uids.add(row.studyUid);
      sources.add('verdict-normal');
    }
  }
  for (const run of store.trainingRuns.list()) {
    if (run.modelVersionId !== modelVersionId) continue;
    for (const entry of run.validationStudies) {
      const uid = typeof entry === 'string' ? entry : (entry as { studyUid?: unknown } | null)?.studyUid;
      if (typeof uid === 'string') {
        uids.add(uid);
        sources.add('validation');
      }
    }
  }
  return { uids, sources: [...sources] };
}

/** The maps of the study's latest scoring run by this model. */
function studyMaps(store: ThresholdStore, studyUid: string, modelVersionId: string): MapRow[] {
  return store.db
    .prepare<[string, string, string], MapRow>(
      `SELECT m.map, m.grid_h, m.grid_w, m.image_score FROM anomaly_maps m
       JOIN instances i ON i.sop_instance_uid = m.sop_instance_uid
       JOIN series se ON se.series_uid = i.series_uid
       WHERE se.study_uid = ? AND m.scoring_run_id = (
         SELECT sc.scoring_run_id FROM study_scores sc JOIN scoring_runs r ON r.id = sc.scoring_run_id
         WHERE sc.study_uid = ? AND r.model_version_id = ? ORDER BY sc.scored_at DESC, sc.rowid DESC LIMIT 1)`,
    )
    .all(studyUid, studyUid, modelVersionId);
}

function mapValues(row: MapRow): Float32Array {
  const bits = float16BitsFromBytes(row.map, row.grid_h * row.grid_w);
  return upsampleMap(float16ToFloat32(bits), row.grid_h, row.grid_w, row.grid_h * PIXEL_UPSAMPLING, row.grid_w * PIXEL_UPSAMPLING);
}

function rateAtOrAbove(values: ArrayLike<number>, threshold: number): number {
  let above = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! >= threshold) above++;
  return values.length === 0 ? 0 : above / values.length;
}

/**
 * Thresholds at target false-positive rates: the pixel threshold flags at most
 * `targetPixelFpr` of normal pixels, the image threshold at most
 * `targetImageFpr` of normal images (metrics.thresholdAtFalsePositiveRate).
 * InvalidRequest when no normal study has been scored by this model.
 */
export function calibrate(
  store: ThresholdStore,
  request: { modelVersionId: string; targetPixelFpr: number; targetImageFpr: number },
): Calibration {
  requireModel(store, request.modelVersionId);
  const normals = normalStudies(store, request.modelVersionId);
  const imageScores: number[] = [];
  const pixelChunks: Float32Array[] = [];
  let studies = 0;
  for (const uid of normals.uids) {
    const maps = studyMaps(store, uid, request.modelVersionId);
    if (maps.length > 0) studies++;
    for (const row of maps) {
      imageScores.push(row.image_score);
      pixelChunks.push(mapValues(row));
    }
  }
  if (imageScores.length === 0) {
    throw new NormscopeError(
      'InvalidRequest',
      'no normal study scored by this model: give normal verdicts to some studies, or train with held-out validation studies, then calibrate',
    );
  }
  const pixels = new Float32Array(pixelChunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of pixelChunks) {
    pixels.set(chunk, offset);
    offset += chunk.length;
  }
  const pixelThreshold = thresholdAtFalsePositiveRate(pixels, request.targetPixelFpr);
  const imageThreshold = thresholdAtFalsePositiveRate(imageScores, request.targetImageFpr);
  return {
    modelVersionId: request.modelVersionId,
    targetPixelFpr: request.targetPixelFpr,
    targetImageFpr: request.targetImageFpr,
    pixelThreshold,
    imageThreshold,
    achievedPixelFpr: rateAtOrAbove(pixels, pixelThreshold),
    achievedImageFpr: rateAtOrAbove(imageScores, imageThreshold),
    normalStudies: studies,
    normalImages: imageScores.length,
    normalPixels: pixels.length,
    sources: normals.sources,
  };
}

/** AI flags against verdicts for a model: ROC, AUROC, confusion at the current threshold, score histograms. */
export function performance(store: ThresholdStore, modelVersionId: string): Performance {
  requireModel(store, modelVersionId);
  const rows = store.studies.listWorklist().filter((row) => row.score?.modelVersionId === modelVersionId);
  const labelled = rows.filter((row) => row.verdict?.value === 'normal' || row.verdict?.value === 'abnormal');
  const scores = labelled.map((row) => row.score!.value);
  const labels = labelled.map((row) => (row.verdict!.value === 'abnormal' ? 1 : 0));
  const abnormals = labels.filter((l) => l === 1).length;
  const normals = labels.length - abnormals;
  let roc: Performance['roc'] = null;
  let auroc: number | null = null;
  if (normals > 0 && abnormals > 0) {
    const ranked = rankScores(scores, labels);
    const curve = rocCurveFromRanked(ranked);
    roc = {
      falsePositiveRate: Array.from(curve.falsePositiveRate),
      truePositiveRate: Array.from(curve.truePositiveRate),
      // JSON has no Infinity: the "nothing flagged" point gets a threshold just above the top score
      thresholds: Array.from(curve.thresholds, (t) => (Number.isFinite(t) ? t : Math.max(...scores) * 1.0001 + 1e-9)),
    };
    auroc = aurocFromRanked(ranked);
  }
  const current = store.thresholds.current(modelVersionId);
  const confusion = current && labelled.length > 0 ? confusionAtThreshold(scores, labels, current.imageThreshold) : null;

  const all = rows.map((row) => row.score!.value);
  const low = all.length ? Math.min(...all) : 0;
  const high = all.length ? Math.max(...all) : 1;
  const width = high > low ? (high - low) / HISTOGRAM_BINS : 1;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, k) => low + k * width);
  const histogram = { edges, normal: new Array<number>(HISTOGRAM_BINS).fill(0), abnormal: new Array<number>(HISTOGRAM_BINS).fill(0), unreviewed: new Array<number>(HISTOGRAM_BINS).fill(0) };
  for (const row of rows) {
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((row.score!.value - low) / width));
    const kind = row.verdict?.value === 'normal' ? 'normal' : row.verdict?.value === 'abnormal' ? 'abnormal' : 'unreviewed';
    histogram[kind][bin]! += 1;
  }
  return { modelVersionId, normals, abnormals, roc, auroc, confusion, histogram };
}

/** Appends a threshold version for a model, audited in the same transaction. */
export function saveThreshold(
  store: ThresholdStore,
  request: { modelVersionId: string; reviewerId: string; pixelThreshold: number; imageThreshold: number; method: Record<string, unknown> },
): ThresholdView {
  requireModel(store, request.modelVersionId);
  const reviewer = store.reviewers.get(request.reviewerId);
  if (!reviewer) throw new NormscopeError('NotFound', 'the reviewer saving this threshold does not exist');
  return store.transaction(() => {
    const previous = store.thresholds.current(request.modelVersionId);
    const saved = store.thresholds.append({
      modelVersionId: request.modelVersionId,
      pixelThreshold: request.pixelThreshold,
      imageThreshold: request.imageThreshold,
      method: request.method,
      createdBy: reviewer.name,
    });
    store.audit.append({
      actor: reviewer.name,
      action: 'threshold.change',
      objectIds: { modelVersionId: request.modelVersionId, thresholdId: saved.id, previousThresholdId: previous?.id ?? null },
      details: { pixelThreshold: saved.pixelThreshold, imageThreshold: saved.imageThreshold, method: saved.method },
    });
    return saved;
  });
}
