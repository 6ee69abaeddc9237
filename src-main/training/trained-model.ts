/**
 * The model version a finished run becomes: weights in the content store and
 * a registry row whose provenance says exactly how it was made (backbone,
 * preprocessing, AR config, recipe, seed, the studies and their hashes, curves,
 * metrics, who and when).
 */
import type { TrainingCurves } from '../api/contract';
import { saveModelVersion } from '../engine/models';
import type { TrainCheckpoint } from '../ml/train/trainer';
import type { Backbone, ModelVersion } from '../store/repositories/models-repository';
import type { TrainingRun } from '../store/repositories/training-runs-repository';
import type { Store } from '../store/store';
import { bestEpoch, plateauEpoch } from './curves';
import { runConfig, runMetrics } from './run-records';

/** Summary metrics of finished curves (as ModelMetrics in the contract). */
export function curveMetrics(curves: TrainingCurves): Record<string, number | null> {
  const best = bestEpoch(curves.valLoss);
  return {
    finalTrainLoss: curves.trainLoss.at(-1) ?? null,
    finalValLoss: curves.valLoss.at(-1) ?? null,
    bestValLoss: best === null ? null : curves.valLoss[best - 1]!,
    bestEpoch: best,
    plateauEpoch: plateauEpoch(curves.valLoss),
    valAupr: curves.valAupr.at(-1) ?? null,
    epochs: curves.trainLoss.length,
  };
}

/**
 * Saves the version through the engine (weights file, registry row and its
 * 'model.save' audit entry), then records the run's end. Idempotent per run: a
 * job resumed after a crash between the two steps finds the version it made.
 */
export async function saveTrainedModel(
  store: Store,
  run: TrainingRun,
  backbone: Backbone,
  state: TrainCheckpoint,
  curves: TrainingCurves,
): Promise<ModelVersion> {
  const config = runConfig(run);
  const metrics = curveMetrics(curves);
  const version =
    store.models.listModelVersions().find((v) => v.provenance.trainingRunId === run.id) ??
    (await saveModelVersion(
      { store },
      {
        name: config.name,
        backbone,
        config: state.config,
        weights: state.weights,
        preprocessing: config.preprocessing.spec,
        createdBy: run.startedBy,
        provenance: {
          kind: 'training',
          trainingRunId: run.id,
          backbone: { id: backbone.id, name: backbone.name, sha256: backbone.sha256, standIn: backbone.standIn },
          preprocessing: config.preprocessing,
          arConfig: state.config,
          recipe: state.recipe,
          seed: state.recipe.seed,
          normals: config.normals,
          validationShare: config.validationShare,
          trainingStudies: run.trainingStudies,
          trainingSha256: config.trainingSha256,
          validationStudies: run.validationStudies,
          validationSha256: config.validationSha256,
          abnormalStudies: config.abnormalStudies,
          abnormalSha256: config.abnormalSha256,
          curves,
          metrics,
          resumes: runMetrics(run).resumes,
          startedBy: run.startedBy,
          startedAt: run.createdAt,
          finishedAt: new Date().toISOString(),
        },
      },
    ));
  store.transaction(() => {
    store.trainingRuns.update(run.id, {
      state: 'succeeded',
      modelVersionId: version.id,
      curves,
      metrics: { ...runMetrics(run), epochsDone: state.epochsDone, error: null, ...metrics },
    });
    store.audit.append({
      actor: run.startedBy,
      action: 'training.end',
      objectIds: { trainingRunId: run.id, modelVersionId: version.id },
      details: { outcome: 'succeeded', epochs: state.epochsDone, metrics },
    });
  });
  return version;
}
