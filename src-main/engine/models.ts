/**
 * Model versions as the engine stores and reads them: an AR config (plus, in
 * causal mode, an optional flipped partner whose map is averaged with the
 * first), its weights file in the content store (model-weights.ts), the
 * preprocessing spec the features were made with, and the backbone. Training
 * saves through `saveModelVersion`; scoring, evaluation and export read
 * through `loadModelVersion`, so there is one place that knows the layout.
 */
import { z } from 'zod';
import { NormscopeError } from '../api/errors';
import { ArConfigSchema } from '../ml/ar/config';
import type { ArConfig } from '../ml/ar/config';
import type { ArModel } from '../ml/ar/graph';
import type { ArWeights } from '../ml/ar/weights';
import { PreprocessingSpec } from '../ml/preprocess';
import type { Backbone, ModelVersion } from '../store/repositories/models-repository';
import type { Store } from '../store/store';
import { backboneManifest } from './backbone-manifest';
import type { StoredBackboneManifest } from './backbone-manifest';
import { decodeModelWeights, encodeModelWeights } from './model-weights';

export interface ModelVersionSpec {
  name: string;
  /** the backbone whose features the model was trained on (a store record, or just its id) */
  backbone: Pick<Backbone, 'id'>;
  config: ArConfig;
  weights: ArWeights;
  /** causal mode only: the model trained on the flipped grid (config.flipped true) */
  partner?: { config: ArConfig; weights: ArWeights };
  preprocessing: PreprocessingSpec;
  /** training run, seed, recipe, training/validation studies and their hashes ... */
  provenance: Record<string, unknown>;
  /** the reviewer who made it, or 'system' (default) */
  createdBy?: string;
}

export interface LoadedModelVersion {
  version: ModelVersion;
  backbone: Backbone;
  manifest: StoredBackboneManifest;
  config: ArConfig;
  weights: ArWeights;
  partner?: { config: ArConfig; weights: ArWeights };
  /** the main model then the partner: the input of buildArAnomalyMapGraph */
  models: ArModel[];
  /** configs in the same order (what the weights file holds) */
  configs: ArConfig[];
  preprocessing: PreprocessingSpec;
}

/** Stored ar_config: the main model's config, with the partner's nested. */
const StoredArConfig = ArConfigSchema.and(z.object({ partner: ArConfigSchema.optional() }));

function checkSpec(spec: ModelVersionSpec, backbone: Backbone): void {
  const manifest = backboneManifest(backbone);
  const models = [spec, ...(spec.partner ? [spec.partner] : [])];
  for (const { config } of models) {
    if (config.inChannels !== manifest.embedDim) {
      throw new NormscopeError(
        'InvalidRequest',
        `model "${spec.name}" reads ${config.inChannels} feature channels, backbone ${backbone.name} gives ${manifest.embedDim}`,
      );
    }
  }
  if (spec.config.flipped) {
    throw new NormscopeError(
      'InvalidRequest',
      `model "${spec.name}": the main model cannot be the flipped one`,
    );
  }
  if (
    spec.partner &&
    !(
      spec.config.mode === 'causal' &&
      spec.partner.config.mode === 'causal' &&
      spec.partner.config.flipped
    )
  ) {
    throw new NormscopeError(
      'InvalidRequest',
      `model "${spec.name}": a partner must be a flipped causal model next to a causal one`,
    );
  }
  for (const [index, { weights }] of models.entries()) {
    for (const layer of weights.layers) {
      if (!layer.weight.every(Number.isFinite) || !layer.bias.every(Number.isFinite)) {
        throw new NormscopeError(
          'Refused',
          `model "${spec.name}": ${index === 0 ? 'its' : "its partner's"} weights contain NaN or Inf; such a model cannot score`,
        );
      }
    }
  }
}

/**
 * Stores the weights in the content store and records the model version
 * (inactive) with an audit entry in the same transaction. Throws
 * InvalidRequest for a config that does not fit the backbone, Refused for
 * non-finite weights, NotFound for an unknown backbone.
 */
export async function saveModelVersion(
  core: { store: Store },
  spec: ModelVersionSpec,
): Promise<ModelVersion> {
  const { store } = core;
  const backbone = store.models.getBackbone(spec.backbone.id);
  if (!backbone)
    throw new NormscopeError('NotFound', `backbone ${spec.backbone.id} does not exist`);
  const config = ArConfigSchema.parse(spec.config);
  const partner = spec.partner && {
    ...spec.partner,
    config: ArConfigSchema.parse(spec.partner.config),
  };
  const checked: ModelVersionSpec = { ...spec, config, ...(partner ? { partner } : {}) };
  checkSpec(checked, backbone);
  const preprocessing = PreprocessingSpec.parse(spec.preprocessing);
  const weightsFile = await store.files.put(
    encodeModelWeights([{ config, weights: spec.weights }, ...(partner ? [partner] : [])]),
  );
  const createdBy = spec.createdBy ?? 'system';
  return store.transaction(() => {
    const version = store.models.addModelVersion({
      name: spec.name,
      backboneId: backbone.id,
      arConfig: partner ? { ...config, partner: partner.config } : { ...config },
      weightsSha256: weightsFile.sha256,
      preprocessingVersion: String(preprocessing.version),
      preprocessing: { ...preprocessing },
      provenance: spec.provenance,
      createdBy,
    });
    store.audit.append({
      actor: createdBy,
      action: 'model.save',
      objectIds: { modelVersionId: version.id, backboneId: backbone.id },
      details: {
        name: spec.name,
        mode: config.mode,
        dilations: config.dilations,
        partner: partner !== undefined,
        weightsSha256: weightsFile.sha256,
        backboneSha256: backbone.sha256,
      },
    });
    return version;
  });
}

/** The parsed config(s) of a stored model version, main model first. */
export function modelConfigs(version: ModelVersion): ArConfig[] {
  const parsed = StoredArConfig.safeParse(version.arConfig);
  if (!parsed.success) {
    throw new NormscopeError(
      'InvalidRequest',
      `model version ${version.id} has an AR config this Normscope cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  const { partner, ...main } = parsed.data;
  return [ArConfigSchema.parse(main), ...(partner ? [partner] : [])];
}

/** Reads a model version with its backbone, configs, weights and preprocessing. Throws NotFound for an unknown id. */
export async function loadModelVersion(
  core: { store: Store },
  id: string,
): Promise<LoadedModelVersion> {
  const { store } = core;
  const version = store.models.getModelVersion(id);
  if (!version) throw new NormscopeError('NotFound', `model version ${id} does not exist`);
  const backbone = store.models.getBackbone(version.backboneId);
  if (!backbone)
    throw new NormscopeError(
      'NotFound',
      `backbone ${version.backboneId} of model ${version.name} does not exist`,
    );
  const configs = modelConfigs(version);
  const weights = decodeModelWeights(configs, await store.files.read(version.weightsSha256));
  const preprocessing = PreprocessingSpec.safeParse(version.preprocessing);
  if (!preprocessing.success) {
    throw new NormscopeError(
      'InvalidRequest',
      `model ${version.name} has preprocessing this Normscope cannot reproduce (version ${version.preprocessingVersion})`,
    );
  }
  const models = configs.map((config, index) => ({ config, weights: weights[index]! }));
  return {
    version,
    backbone,
    manifest: backboneManifest(backbone),
    config: configs[0]!,
    weights: weights[0]!,
    ...(models[1] ? { partner: models[1] } : {}),
    models,
    configs,
    preprocessing: preprocessing.data,
  };
}
