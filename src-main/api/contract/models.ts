/**
 * `models.*`: the model registry (issue 5). Versions with their provenance,
 * side-by-side comparison, activation and roll-back (audited; old scores keep
 * the version that made them), and one-file bundles to move a model and its
 * thresholds to another workstation.
 */
import { z } from 'zod';
import { TrainingCurves } from './training';

export const ModelMetrics = z.object({
  finalTrainLoss: z.number().nullable(),
  finalValLoss: z.number().nullable(),
  bestValLoss: z.number().nullable(),
  /** 1-based epoch of the lowest validation loss */
  bestEpoch: z.number().int().nullable(),
  /** 1-based epoch after which validation loss never improved by more than 1% */
  plateauEpoch: z.number().int().nullable(),
  /** validation image AUPR (abnormal vs held-out normal studies) at the last epoch */
  valAupr: z.number().nullable(),
  epochs: z.number().int().nullable(),
});
export type ModelMetrics = z.infer<typeof ModelMetrics>;

export const ModelVersionInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  active: z.boolean(),
  backbone: z.object({
    id: z.string(),
    name: z.string(),
    sha256: z.string(),
    standIn: z.boolean(),
  }),
  mode: z.string(),
  dilations: z.array(z.number()),
  /** true when no path through the layers lets a patch's prediction see the patch itself */
  strictBlindSpot: z.boolean(),
  preprocessingVersion: z.string(),
  trainingRunId: z.string().nullable(),
  /** set for a version that came from a bundle */
  importedFrom: z.object({ bundleSha256: z.string(), modelId: z.string() }).nullable(),
  trainingStudies: z.number().int().nullable(),
  validationStudies: z.number().int().nullable(),
  seed: z.number().int().nullable(),
  recipe: z.record(z.string(), z.unknown()).nullable(),
  curves: TrainingCurves,
  metrics: ModelMetrics,
  threshold: z
    .object({ id: z.number().int(), pixelThreshold: z.number(), imageThreshold: z.number() })
    .nullable(),
  /** everything recorded with the version */
  provenance: z.record(z.string(), z.unknown()),
});
export type ModelVersionInfo = z.infer<typeof ModelVersionInfo>;

export const ModelActivation = z.object({
  model: ModelVersionInfo,
  /** studies whose latest score was made by another version: they keep it until rescored */
  studiesScoredByOtherVersions: z.number().int(),
});

const Actor = { reviewerId: z.string().min(1).max(100).optional() };
const ModelId = z.string().min(1).max(100);
const FilePath = z.string().min(1).max(4096);

export const modelMethods = {
  'models.list': { params: z.object({}).strict(), result: z.array(ModelVersionInfo) },
  'models.get': { params: z.object({ id: ModelId }).strict(), result: ModelVersionInfo },
  'models.compare': {
    params: z.object({ ids: z.array(ModelId).min(2).max(4) }).strict(),
    result: z.object({
      versions: z.array(ModelVersionInfo),
      /** per version, in words: where training stopped improving, and how validation compares */
      expectations: z.array(z.object({ id: z.string(), text: z.string() })),
    }),
  },
  'models.activate': { params: z.object({ id: ModelId, ...Actor }).strict(), result: ModelActivation },
  /** the version models.rollback would activate, or null when there is none */
  'models.rollbackTarget': { params: z.object({}).strict(), result: ModelVersionInfo.nullable() },
  /** activates the version that was active before the current one */
  'models.rollback': { params: z.object({ ...Actor }).strict(), result: ModelActivation },
  'models.export': {
    params: z
      .object({ id: ModelId, out: FilePath, overwrite: z.boolean().default(false), ...Actor })
      .strict(),
    result: z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string() }),
  },
  'models.import': {
    params: z.object({ file: FilePath, ...Actor }).strict(),
    result: ModelVersionInfo,
  },
} as const;
