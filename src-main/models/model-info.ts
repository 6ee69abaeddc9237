/**
 * A stored model version as the registry shows it: its backbone, AR
 * configuration (with the blind-spot truth computed from the masks), the
 * recipe and data it was trained with, curves, metrics and current thresholds.
 */
import type { ModelMetrics, ModelVersionInfo, TrainingCurves } from '../api/contract';
import { NormscopeError } from '../api/errors';
import { modelConfigs } from '../engine/models';
import { isStrictBlindSpot } from '../ml/ar/receptive-field';
import type { ModelVersion } from '../store/repositories/models-repository';
import type { Store } from '../store/store';

const EMPTY_CURVES: TrainingCurves = { trainLoss: [], valLoss: [], valAupr: [] };

function numberArray(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function curvesOf(provenance: Record<string, unknown>): TrainingCurves {
  const curves = provenance.curves as Record<string, unknown> | undefined;
  if (!curves || typeof curves !== 'object') return EMPTY_CURVES;
  return {
    trainLoss: numberArray(curves.trainLoss),
    valLoss: numberArray(curves.valLoss),
    valAupr: Array.isArray(curves.valAupr)
      ? curves.valAupr.map((v) => (typeof v === 'number' ? v : null))
      : [],
  };
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function metricsOf(provenance: Record<string, unknown>): ModelMetrics {
  const m = (provenance.metrics ?? {}) as Record<string, unknown>;
  return {
    finalTrainLoss: num(m.finalTrainLoss),
    finalValLoss: num(m.finalValLoss),
    bestValLoss: num(m.bestValLoss),
    bestEpoch: num(m.bestEpoch),
    plateauEpoch: num(m.plateauEpoch),
    valAupr: num(m.valAupr),
    epochs: num(m.epochs),
  };
}

function countOf(value: unknown): number | null {
  return Array.isArray(value) ? value.length : null;
}

export function toModelInfo(store: Pick<Store, 'models' | 'thresholds'>, version: ModelVersion): ModelVersionInfo {
  const backbone = store.models.getBackbone(version.backboneId);
  if (!backbone) throw new NormscopeError('Internal', `model version ${version.id} names a missing backbone`);
  const configs = modelConfigs(version);
  const main = configs[0]!;
  const p = version.provenance;
  const imported = p.importedFrom as { bundleSha256?: unknown; modelId?: unknown } | undefined;
  const threshold = store.thresholds.current(version.id);
  return {
    id: version.id,
    name: version.name,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
    active: version.active,
    backbone: { id: backbone.id, name: backbone.name, sha256: backbone.sha256, standIn: backbone.standIn },
    mode: configs.length > 1 ? `${main.mode} + flipped` : main.mode,
    dilations: main.dilations,
    strictBlindSpot: configs.every(isStrictBlindSpot),
    preprocessingVersion: version.preprocessingVersion,
    trainingRunId: typeof p.trainingRunId === 'string' ? p.trainingRunId : null,
    importedFrom:
      imported && typeof imported.bundleSha256 === 'string' && typeof imported.modelId === 'string'
        ? { bundleSha256: imported.bundleSha256, modelId: imported.modelId }
        : null,
    trainingStudies: countOf(p.trainingStudies),
    validationStudies: countOf(p.validationStudies),
    seed: num(p.seed),
    recipe: p.recipe && typeof p.recipe === 'object' ? (p.recipe as Record<string, unknown>) : null,
    curves: curvesOf(p),
    metrics: metricsOf(p),
    threshold: threshold
      ? { id: threshold.id, pixelThreshold: threshold.pixelThreshold, imageThreshold: threshold.imageThreshold }
      : null,
    provenance: p,
  };
}
