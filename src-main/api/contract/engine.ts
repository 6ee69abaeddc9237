/**
 * The anomaly engine (issue 3): `backbones.*` (import and list the DINOv3-style
 * ONNX backbones), `features.*` (the feature cache) and `scoring.*` (start a
 * scoring job; read anomaly maps and scores for the viewer).
 *
 * Anomaly maps are per patch: `values` is row-major [gridH, gridW] (28 x 28 for
 * the method's 448-px input), each the mean over feature channels of the
 * squared prediction error (stored as float16, sent as numbers). Upsample them
 * bilinearly (align_corners=false) over the frame for display. A map or score
 * is compared with the model's current threshold (`threshold`, null when the
 * model has none yet): a patch above `pixelThreshold` is flagged, an image or
 * study above `imageThreshold` is flagged.
 */
import { z } from 'zod';
import { JobInfo } from './jobs';

const Uid = z.string().min(1).max(128);
const Id = z.string().min(1).max(100);

export const BackboneInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** dinov3, dinov2, vit or standin */
  family: z.string(),
  /** a generated stand-in: never for clinical use */
  standIn: z.boolean(),
  sha256: z.string(),
  embedDim: z.number().int(),
  patchSize: z.number().int(),
  grid: z.number().int(),
  prefixTokens: z.number().int(),
  inputSize: z.number().int(),
  dynamicSize: z.boolean(),
  source: z.string(),
  licenceNote: z.string(),
  notes: z.array(z.string()),
  externalDataFiles: z.number().int(),
  createdAt: z.string(),
});
export type BackboneInfo = z.infer<typeof BackboneInfo>;

export const FeatureCacheStats = z.object({
  entries: z.number().int(),
  /** bytes of the float16 feature files */
  bytes: z.number().int(),
});
export type FeatureCacheStats = z.infer<typeof FeatureCacheStats>;

/** How per-patch values become one score: the maximum (the paper's), or the mean of the k largest. */
export const ScoreReduction = z.union([
  z.literal('max'),
  z.object({ topKMean: z.number().int().min(1).max(100_000) }).strict(),
]);
export type ScoreReduction = z.infer<typeof ScoreReduction>;

export const ScoringOptions = z
  .object({
    /** map -> image score over the valid patches (foreground with enough context) */
    imageScore: ScoreReduction.default('max'),
    /** image scores -> series and study score */
    studyScore: ScoreReduction.default('max'),
  })
  .strict();
export type ScoringOptions = z.infer<typeof ScoringOptions>;

export const ScoringRequest = z
  .object({
    /** the studies to score, or every study without a score from this model */
    studyUids: z.union([z.array(Uid).min(1).max(100_000), z.literal('unscored')]),
    /** only this series (of one of the studies); its study gets no study score unless all its series are scored */
    seriesUid: Uid.optional(),
    /** default: the active model */
    modelVersionId: Id.optional(),
    options: ScoringOptions.default({ imageScore: 'max', studyScore: 'max' }),
  })
  .strict();
export type ScoringRequest = z.infer<typeof ScoringRequest>;

/** What a scoring run ran with: recorded once, shown with every score. */
export const ScoringRunInfo = z.object({
  id: z.string(),
  modelVersionId: z.string(),
  modelName: z.string(),
  backboneSha256: z.string(),
  onnxruntimeVersion: z.string(),
  /** execution provider that really ran: cpu, cuda, dml, coreml */
  provider: z.string(),
  /** CPU threads per operator; 0: ONNX Runtime's default (one per core) */
  threads: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  state: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ScoringRunInfo = z.infer<typeof ScoringRunInfo>;

export const ThresholdInfo = z
  .object({ id: z.number().int(), pixelThreshold: z.number(), imageThreshold: z.number() })
  .nullable();

export const AnomalyMapView = z.object({
  sopInstanceUid: z.string(),
  frame: z.number().int(),
  gridH: z.number().int(),
  gridW: z.number().int(),
  /** row-major [gridH, gridW], squared feature units */
  values: z.array(z.number()),
  imageScore: z.number(),
  run: ScoringRunInfo,
  threshold: ThresholdInfo,
});
export type AnomalyMapView = z.infer<typeof AnomalyMapView>;

export const SeriesScores = z.object({
  seriesUid: z.string(),
  /** null until every frame of the series is scored */
  seriesScore: z.number().nullable(),
  /** in slice order: the viewer's score strip */
  frames: z.array(
    z.object({ sopInstanceUid: z.string(), frame: z.number().int(), imageScore: z.number() }),
  ),
  run: ScoringRunInfo,
  threshold: ThresholdInfo,
});
export type SeriesScores = z.infer<typeof SeriesScores>;

export const StudyScores = z.object({
  studyUid: z.string(),
  /** null when the run scored only some of its series */
  studyScore: z.number().nullable(),
  series: z.array(z.object({ seriesUid: z.string(), score: z.number() })),
  run: ScoringRunInfo,
  threshold: ThresholdInfo,
});
export type StudyScores = z.infer<typeof StudyScores>;

/** Which run to read: a given one, else the latest run of the active model that scored it, else the latest run. */
const RunChoice = { runId: Id.optional() };

export const engineMethods = {
  'backbones.list': { params: z.object({}).strict(), result: z.array(BackboneInfo) },
  /** the path is read by the workstation itself (the web host is local too) */
  'backbones.import': {
    params: z
      .object({ path: z.string().min(1).max(4096), name: z.string().min(1).max(200).optional() })
      .strict(),
    result: z.object({ backbone: BackboneInfo, alreadyImported: z.boolean() }),
  },
  'features.cacheStats': { params: z.object({}).strict(), result: FeatureCacheStats },
  'features.clearCache': { params: z.object({}).strict(), result: FeatureCacheStats },
  'scoring.start': { params: ScoringRequest, result: JobInfo },
  'scoring.map': {
    params: z
      .object({ sopInstanceUid: Uid, frame: z.number().int().min(0).default(0), ...RunChoice })
      .strict(),
    result: AnomalyMapView.nullable(),
  },
  'scoring.seriesScores': {
    params: z.object({ seriesUid: Uid, ...RunChoice }).strict(),
    result: SeriesScores.nullable(),
  },
  'scoring.studyScores': {
    params: z.object({ studyUid: Uid, ...RunChoice }).strict(),
    result: StudyScores.nullable(),
  },
} as const;
