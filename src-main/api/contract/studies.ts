/**
 * `studies.*`: what the worklist and the viewer read about imported studies
 * (issue 6). Patient fields travel to the window for display only.
 */
import { z } from 'zod';

const Uid = z.string().regex(/^[0-9]+(\.[0-9]+)*$/).max(128);

export const VerdictValue = z.enum(['normal', 'abnormal', 'uncertain']);
export type VerdictValue = z.infer<typeof VerdictValue>;

export const WorklistEntry = z.object({
  studyUid: z.string(),
  studyDate: z.string().nullable(),
  studyTime: z.string().nullable(),
  description: z.string().nullable(),
  accessionNumber: z.string().nullable(),
  modalities: z.array(z.string()),
  patientId: z.string(),
  patientName: z.string().nullable(),
  patientSex: z.enum(['M', 'F', 'O']).nullable(),
  seriesCount: z.number().int(),
  instanceCount: z.number().int(),
  /** latest study score (max image score), null when never scored */
  score: z.number().nullable(),
  scoringRunId: z.string().nullable(),
  modelVersionId: z.string().nullable(),
  /** the image threshold of the scoring model in force, null when none is calibrated */
  imageThreshold: z.number().nullable(),
  /** score >= imageThreshold; null when the study is unscored or no threshold exists */
  flagged: z.boolean().nullable(),
  verdict: z
    .object({ id: z.number().int(), value: VerdictValue, reviewerName: z.string(), at: z.string() })
    .nullable(),
});
export type WorklistEntry = z.infer<typeof WorklistEntry>;

export const InstanceView = z.object({
  sopInstanceUid: z.string(),
  instanceNumber: z.number().nullable(),
  frames: z.number().int(),
  rows: z.number().int(),
  columns: z.number().int(),
  /** mm along the slice normal */
  position: z.number().nullable(),
  /** header summary without patient fields (photometric, rescale, window, spacing, orientation ...) */
  attributes: z.record(z.string(), z.unknown()),
});
export type InstanceView = z.infer<typeof InstanceView>;

export const ImageScore = z.object({ sopInstanceUid: z.string(), frame: z.number().int(), imageScore: z.number() });

export const SeriesView = z.object({
  seriesUid: z.string(),
  seriesNumber: z.number().nullable(),
  modality: z.string().nullable(),
  description: z.string().nullable(),
  /** ImageOrientationPatient (row then column cosines) */
  orientation: z.array(z.number()).nullable(),
  /** [row mm, column mm, slice mm] */
  spacing: z.array(z.number()).nullable(),
  instances: z.array(InstanceView),
  /** per-frame image scores of the study's scoring run, in slice order; empty when unscored */
  imageScores: z.array(ImageScore),
});
export type SeriesView = z.infer<typeof SeriesView>;

export const ThresholdView = z.object({
  id: z.number().int(),
  modelVersionId: z.string(),
  pixelThreshold: z.number(),
  imageThreshold: z.number(),
  method: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type ThresholdView = z.infer<typeof ThresholdView>;

export const StudyView = z.object({
  studyUid: z.string(),
  patientId: z.string(),
  patientName: z.string().nullable(),
  patientSex: z.string().nullable(),
  patientBirthDate: z.string().nullable(),
  studyDate: z.string().nullable(),
  description: z.string().nullable(),
  accessionNumber: z.string().nullable(),
  modalities: z.array(z.string()),
  series: z.array(SeriesView),
  scoring: z
    .object({
      scoringRunId: z.string(),
      modelVersionId: z.string(),
      modelName: z.string(),
      studyScore: z.number(),
      /** the model's current threshold, null when none is calibrated */
      threshold: ThresholdView.nullable(),
      /** largest image score of the study: the top of the colour bar */
      maxImageScore: z.number(),
    })
    .nullable(),
});
export type StudyView = z.infer<typeof StudyView>;

export const studiesMethods = {
  'studies.worklist': { params: z.object({}).strict(), result: z.array(WorklistEntry) },
  'studies.get': { params: z.object({ studyUid: Uid }).strict(), result: StudyView },
} as const;

export const studiesEvents = {
  /** studies were imported, scored or given a verdict: the worklist reloads */
  'studies.changed': z.object({ reason: z.enum(['import', 'scoring', 'verdict', 'threshold']), studyUids: z.array(z.string()) }),
} as const;
