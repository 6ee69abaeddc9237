/**
 * The model version a finished run becomes: weights in the content store and
 * a registry row whose provenance says exactly how it was made (backbone,
 * preprocessing, AR config, recipe, seed, the studies and their hashes, curves,
 * metrics, who and when). A run with a flipped partner saves both models in
 * one version; the provenance keeps the main model's curves and metrics where
 * they always were and the partner's under `partner`.
 */
import type { TrainingCurves } from '../api/contract';
import { saveModelVersion } from '../engine/models';
import type { TrainCheckpoint, TrainRuntime } from '../ml/train/trainer';
import type { Backbone, ModelVersion } from '../store/repositories/models-repository';
import type { TrainingRun } from '../store/repositories/training-runs-repository';
import type { Store } from '../store/store';
import { bestEpoch, plateauEpoch } from './curves';
import { runConfig, runMetrics, storedCurves } from './run-records';

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

/** A finished flipped partner: its final state and curves (valAupr of the pair). */
export interface TrainedPartner {
  state: TrainCheckpoint;
  curves: TrainingCurves;
}

/**
 * Saves the version through the engine (weights file, registry row and its
 * 'model.save' audit entry), then records the run's end. Idempotent per run: a
 * job resumed after a crash between the two steps finds the version it made.
 * With a partner, the version's valAupr is the pair's (what it scores with);
 * the main model's own stays as mainValAupr. `runtime` is what ran the last
 * phase trained in this process; a job resumed only to save has none to give.
 */
export async function saveTrainedModel(
  store: Store,
  run: TrainingRun,
  backbone: Backbone,
  state: TrainCheckpoint,
  curves: TrainingCurves,
  partner?: TrainedPartner,
  runtime?: TrainRuntime,
): Promise<ModelVersion> {
  const config = runConfig(run);
  const mainMetrics = curveMetrics(curves);
  const partnerMetrics = partner ? curveMetrics(partner.curves) : undefined;
  const metrics = partnerMetrics
    ? { ...mainMetrics, valAupr: partnerMetrics.valAupr, mainValAupr: mainMetrics.valAupr }
    : mainMetrics;
  const version =
    store.models.listModelVersions().find((v) => v.provenance.trainingRunId === run.id) ??
    (await saveModelVersion(
      { store },
      {
        name: config.name,
        backbone,
        config: state.config,
        weights: state.weights,
        ...(partner
          ? { partner: { config: partner.state.config, weights: partner.state.weights } }
          : {}),
        preprocessing: config.preprocessing.spec,
        createdBy: run.startedBy,
        provenance: {
          kind: 'training',
          trainingRunId: run.id,
          backbone: {
            id: backbone.id,
            name: backbone.name,
            sha256: backbone.sha256,
            standIn: backbone.standIn,
          },
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
          ...(partner
            ? {
                partner: {
                  arConfig: partner.state.config,
                  recipe: partner.state.recipe,
                  seed: partner.state.recipe.seed,
                  curves: partner.curves,
                  metrics: partnerMetrics,
                },
              }
            : {}),
          ...(runtime ? { runtime } : {}),
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
      curves: storedCurves(curves, partner?.curves ?? null),
      metrics: {
        ...runMetrics(run),
        epochsDone: state.epochsDone,
        ...(partner ? { partnerEpochsDone: partner.state.epochsDone } : {}),
        error: null,
        ...metrics,
      },
    });
    store.audit.append({
      actor: run.startedBy,
      action: 'training.end',
      objectIds: { trainingRunId: run.id, modelVersionId: version.id },
      details: {
        outcome: 'succeeded',
        epochs: state.epochsDone,
        metrics,
        ...(partner
          ? {
              partner: {
                epochs: partner.state.epochsDone,
                seed: partner.state.recipe.seed,
                metrics: partnerMetrics,
              },
            }
          : {}),
      },
    });
  });
  await removeCheckpoints(store, run.id);
  return version;
}

/**
 * Checkpoints exist to resume a run; once its version is saved they are dead
 * weight (about 40 MB each at paper size, two with a partner). A file whose
 * bytes another run's row still names is kept: the store is content-addressed,
 * so two runs in the same state share one.
 */
async function removeCheckpoints(store: Store, runId: string): Promise<void> {
  const finished = store.trainingRuns.get(runId);
  if (!finished) return;
  const named = (r: TrainingRun): (string | undefined)[] => [
    r.checkpointSha256 ?? undefined,
    runMetrics(r).mainCheckpointSha256,
  ];
  const stillNamed = new Set(
    store.trainingRuns
      .list()
      .filter((r) => r.id !== runId && r.state !== 'succeeded')
      .flatMap(named),
  );
  for (const sha of new Set(named(finished))) {
    if (sha === undefined || stillNamed.has(sha)) continue;
    try {
      await store.files.remove(sha);
    } catch (err) {
      // the version is saved; a leftover file wastes space but loses nothing
      console.error(
        `training run ${runId}: checkpoint ${sha} not removed: ${(err as Error).message}`,
      );
    }
  }
}
