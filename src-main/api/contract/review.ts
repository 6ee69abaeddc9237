/**
 * `review.*`: reviewers, verdicts, and the thresholds that turn anomaly scores
 * into flags (issue 6).
 */
import { z } from 'zod';
import { ThresholdView, VerdictValue } from './studies';

const Uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/).max(128);
const Id = z.string().min(1).max(100);

export const Reviewer = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type Reviewer = z.infer<typeof Reviewer>;

/** A polygon drawn on one frame, in the frame's pixel coordinates (x right, y down). */
export const RegionMark = z
  .object({
    kind: z.literal('polygon'),
    label: z.enum(['confirms-anomaly', 'false-positive']),
    sopInstanceUid: Uid,
    frame: z.number().int().min(0),
    points: z.array(z.tuple([z.number(), z.number()])).min(3).max(500),
  })
  .strict();
export type RegionMark = z.infer<typeof RegionMark>;

export const VerdictView = z.object({
  id: z.number().int(),
  studyUid: z.string(),
  seriesUid: z.string().nullable(),
  reviewerId: z.string(),
  reviewerName: z.string(),
  verdict: VerdictValue,
  comment: z.string(),
  regionMarks: z.array(z.unknown()),
  modelVersionId: z.string().nullable(),
  thresholdId: z.number().nullable(),
  createdAt: z.string(),
  supersedesId: z.number().nullable(),
});
export type VerdictView = z.infer<typeof VerdictView>;

export const Calibration = z.object({
  modelVersionId: z.string(),
  targetPixelFpr: z.number(),
  targetImageFpr: z.number(),
  pixelThreshold: z.number(),
  imageThreshold: z.number(),
  /** the rates the thresholds give on the normals they were calibrated on */
  achievedPixelFpr: z.number(),
  achievedImageFpr: z.number(),
  normalStudies: z.number().int(),
  normalImages: z.number().int(),
  normalPixels: z.number().int(),
  /** where the normals came from */
  sources: z.array(z.enum(['verdict-normal', 'validation'])),
});
export type Calibration = z.infer<typeof Calibration>;

export const Performance = z.object({
  modelVersionId: z.string(),
  /** studies with a normal or abnormal verdict and a score from this model */
  normals: z.number().int(),
  abnormals: z.number().int(),
  /** null until both kinds exist */
  roc: z
    .object({ falsePositiveRate: z.array(z.number()), truePositiveRate: z.array(z.number()), thresholds: z.array(z.number()) })
    .nullable(),
  auroc: z.number().nullable(),
  /** AI flags (score >= image threshold) against verdicts, at the current threshold */
  confusion: z
    .object({ truePositives: z.number(), falsePositives: z.number(), trueNegatives: z.number(), falseNegatives: z.number() })
    .nullable(),
  /** study-score histogram: bin edges (bins + 1) and counts per verdict */
  histogram: z.object({
    edges: z.array(z.number()),
    normal: z.array(z.number()),
    abnormal: z.array(z.number()),
    unreviewed: z.array(z.number()),
  }),
});
export type Performance = z.infer<typeof Performance>;

export const reviewMethods = {
  'review.reviewers': { params: z.object({}).strict(), result: z.array(Reviewer) },
  'review.createReviewer': { params: z.object({ name: z.string().min(1).max(200) }).strict(), result: Reviewer },
  /** records a verdict; an existing one on the study is superseded (kept in the history) */
  'review.verdict': {
    params: z
      .object({
        studyUid: Uid,
        reviewerId: Id,
        verdict: VerdictValue,
        comment: z.string().max(10_000).default(''),
        regionMarks: z.array(RegionMark).max(200).default([]),
      })
      .strict(),
    result: VerdictView,
  },
  'review.history': { params: z.object({ studyUid: Uid }).strict(), result: z.array(VerdictView) },
  /** the thresholds of a model version (the active one when omitted) */
  'review.thresholds': {
    params: z.object({ modelVersionId: Id.optional() }).strict(),
    result: z.object({
      model: z.object({ id: z.string(), name: z.string() }).nullable(),
      current: ThresholdView.nullable(),
      history: z.array(ThresholdView),
    }),
  },
  /** proposes thresholds at target false-positive rates on held-out normal studies; saves nothing */
  'review.calibrate': {
    params: z
      .object({
        modelVersionId: Id,
        targetPixelFpr: z.number().min(0).max(1).default(0.01),
        targetImageFpr: z.number().min(0).max(1).default(0.05),
      })
      .strict(),
    result: Calibration,
  },
  'review.performance': { params: z.object({ modelVersionId: Id }).strict(), result: Performance },
  /** appends a new threshold version (audited) */
  'review.saveThreshold': {
    params: z
      .object({
        modelVersionId: Id,
        reviewerId: Id,
        pixelThreshold: z.number().finite(),
        imageThreshold: z.number().finite(),
        method: z.record(z.string(), z.unknown()),
      })
      .strict(),
    result: ThresholdView,
  },
} as const;
