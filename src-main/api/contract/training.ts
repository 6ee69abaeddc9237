/**
 * `training.*`: retraining the AR model on a site's normal studies (issue 5).
 * The recipe's defaults are the paper's (ARCHITECTURE.md "Training"); every
 * field a user may change is here, wherever training is started.
 */
import { z } from 'zod';
import { JobState } from './jobs';

const Uid = z.string().min(1).max(128);

export const TrainingRecipeParams = z
  .object({
    epochs: z.number().int().min(1).max(1000).default(40),
    batchSize: z.number().int().min(1).max(4096).default(64),
    lr: z.number().positive().max(1).default(1e-3),
    /** linear warm-up over this many optimiser steps; 0 = none (the paper) */
    warmupSteps: z.number().int().min(0).max(1_000_000).default(0),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    /** probability that a batch gets input noise */
    noiseP: z.number().min(0).max(1).default(0.2),
    /** noise sd as a multiple of each sample's per-channel spatial std */
    noiseScale: z.number().min(0).max(10).default(0.03),
  })
  .strict();

export const TrainingModelParams = z
  .object({
    mode: z.enum(['bidirectional', 'causal', 'standard']).default('bidirectional'),
    /** one per layer, the last reused; [1,2,4,8] is a strict blind spot, the paper's [4,4,4,4] is not */
    dilations: z.array(z.number().int().min(1).max(64)).min(1).max(32).default([4, 4, 4, 4]),
    hidden: z.number().int().min(1).max(4096).default(256),
    layers: z.number().int().min(1).max(32).default(5),
    kernel: z.number().int().min(1).max(15).default(3),
    /**
     * Causal only: also train a second model on the flipped grid (reverse
     * raster order) and save the two as one version whose maps are averaged,
     * so the first rows and columns, which the causal model predicts from
     * little context, are covered by the flipped one (ARCHITECTURE.md "AR model").
     */
    flipped: z.boolean().default(false),
  })
  .strict()
  .superRefine((model, ctx) => {
    if (model.flipped && model.mode !== 'causal') {
      ctx.addIssue({
        code: 'custom',
        path: ['flipped'],
        message: `a flipped partner exists only for a causal model; mode is ${model.mode} (choose mode causal or leave flipped off)`,
      });
    }
  });

export const NormalsSpec = z.union([
  z.literal('verdict:normal'),
  z.literal('all'),
  z.array(Uid).min(1).max(100_000),
]);

export const TrainingStartParams = z
  .object({
    /** study UIDs, every study marked normal, or every study not marked abnormal/uncertain */
    normals: NormalsSpec,
    recipe: TrainingRecipeParams.prefault({}),
    model: TrainingModelParams.prefault({}),
    /** share of the normal studies held out for validation, by study */
    validationShare: z.number().min(0).lt(1).default(0.2),
    /** default: the active model's backbone, else the only one imported */
    backboneId: z.string().min(1).max(100).optional(),
    /** who starts it (recorded and audited); 'system' when absent */
    reviewerId: z.string().min(1).max(100).optional(),
    /** name of the model version it will produce; default from mode and date */
    name: z.string().min(1).max(100).optional(),
  })
  .strict();

export const StudyEntry = z.object({
  studyUid: z.string(),
  instances: z.number().int(),
  frames: z.number().int(),
  sha256: z.string(),
});

export const TrainingCurves = z.object({
  /** per epoch */
  trainLoss: z.array(z.number()),
  valLoss: z.array(z.number()),
  /** per epoch; null where there were no labelled abnormal studies */
  valAupr: z.array(z.number().nullable()),
});
export type TrainingCurves = z.infer<typeof TrainingCurves>;

/** The flipped causal model trained after the main one (training.start with model.flipped). */
export const TrainingPartnerInfo = z.object({
  /** its AR config (flipped: true) */
  model: z.record(z.string(), z.unknown()),
  /** derived from the run's seed, so a rerun with the same seed reproduces the pair */
  seed: z.number().int(),
  /** per epoch of the partner; valAupr scores the pair (main and partner maps averaged) */
  curves: TrainingCurves,
  /** partner epochs done at the last checkpoint */
  epochsDone: z.number().int(),
});
export type TrainingPartnerInfo = z.infer<typeof TrainingPartnerInfo>;

export const TrainingRunInfo = z.object({
  id: z.string(),
  jobId: z.string().nullable(),
  state: JobState,
  name: z.string(),
  backbone: z.object({
    id: z.string(),
    name: z.string(),
    sha256: z.string(),
    standIn: z.boolean(),
  }),
  recipe: TrainingRecipeParams.required(),
  model: z.record(z.string(), z.unknown()),
  validationShare: z.number(),
  normals: NormalsSpec,
  trainingStudies: z.array(StudyEntry),
  validationStudies: z.array(StudyEntry),
  abnormalStudies: z.array(StudyEntry),
  trainingSha256: z.string(),
  validationSha256: z.string(),
  /** the main model's, per epoch */
  curves: TrainingCurves,
  /** the main model's epochs done at the last checkpoint (what a resumed run continues from) */
  epochsDone: z.number().int(),
  /** null unless the run trains a flipped partner; it trains once the main model is done */
  partner: TrainingPartnerInfo.nullable(),
  /**
   * each time the run continued from a checkpoint (pause, restart), with the
   * epochs it had done; `partner` when it continued in the partner's phase
   */
  resumes: z.array(
    z.object({ epoch: z.number().int(), at: z.string(), partner: z.boolean().optional() }),
  ),
  error: z.object({ name: z.string(), message: z.string() }).nullable(),
  modelVersionId: z.string().nullable(),
  startedBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TrainingRunInfo = z.infer<typeof TrainingRunInfo>;

export const TrainingProgress = z.object({
  runId: z.string(),
  jobId: z.string(),
  phase: z.enum(['features', 'training']),
  /** which model trains: the main one, or (runs with a flipped partner) the partner after it */
  model: z.enum(['main', 'partner']),
  /** 2 when the run trains a flipped partner after the main model, else 1 */
  models: z.number().int(),
  /**
   * features: frames done / total; training: steps of the whole run (both
   * models) done / total, and the epoch (1-based) of the model training now
   */
  done: z.number().int(),
  total: z.number().int(),
  epoch: z.number().int(),
  /** epochs of each model */
  epochs: z.number().int(),
  /** optimiser steps of the whole run, both models counted */
  step: z.number().int(),
  totalSteps: z.number().int(),
  /** the last step's loss, null before the first */
  loss: z.number().nullable(),
  /** time left for the whole run (both models) */
  etaSeconds: z.number().nullable(),
  /** the main model's curves */
  curves: TrainingCurves,
  /** the partner's curves (valAupr of the pair); null without a partner */
  partnerCurves: TrainingCurves.nullable(),
});
export type TrainingProgress = z.infer<typeof TrainingProgress>;

export const TrainingCandidate = z.object({
  studyUid: z.string(),
  description: z.string().nullable(),
  studyDate: z.string().nullable(),
  modalities: z.array(z.string()),
  instanceCount: z.number().int(),
  verdict: z.enum(['normal', 'abnormal', 'uncertain']).nullable(),
});

export const TrainingDefaults = z.object({
  recipe: TrainingRecipeParams.required(),
  model: TrainingModelParams.required(),
  validationShare: z.number(),
  minimum: z.object({ studies: z.number().int(), trainingFrames: z.number().int() }),
});

const RunId = z.object({ runId: z.string().min(1).max(100) }).strict();

export const trainingMethods = {
  'training.start': {
    params: TrainingStartParams,
    result: z.object({ runId: z.string(), jobId: z.string() }),
  },
  /** continues a failed or cancelled run from its last checkpoint, as a new job (same data, recipe and seed) */
  'training.continue': {
    params: z
      .object({
        runId: z.string().min(1).max(100),
        reviewerId: z.string().min(1).max(100).optional(),
      })
      .strict(),
    result: z.object({ runId: z.string(), jobId: z.string() }),
  },
  'training.runs': { params: z.object({}).strict(), result: z.array(TrainingRunInfo) },
  'training.run': { params: RunId, result: TrainingRunInfo },
  /** studies that may be picked by hand (no patient identifiers) */
  'training.candidates': { params: z.object({}).strict(), result: z.array(TrainingCandidate) },
  'training.defaults': { params: z.object({}).strict(), result: TrainingDefaults },
} as const;

export const trainingEvents = {
  /** per step (throttled) and per epoch of a running training job */
  'training.progress': TrainingProgress,
} as const;
