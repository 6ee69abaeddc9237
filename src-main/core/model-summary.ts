/**
 * What the status bar shows about models: the active model and the backbone
 * it runs on, or, before any model is active, the newest backbone imported.
 */
import type { AppStatus } from '../api/contract';
import type { Backbone } from '../store/repositories/models-repository';
import type { Store } from '../store/store';

export interface ModelSummary {
  backbone: AppStatus['backbone'];
  activeModel: AppStatus['activeModel'];
}

function toSummary(backbone: Backbone): NonNullable<AppStatus['backbone']> {
  // the probe records the family (dinov3, dinov2, vit, standin) in the manifest
  const family = typeof backbone.manifest.family === 'string' ? backbone.manifest.family : 'unknown';
  return { id: backbone.id, name: backbone.name, family, standIn: backbone.standIn, sha256: backbone.sha256 };
}

export function readModelSummary(store: Pick<Store, 'models'>): ModelSummary {
  const model = store.models.activeModelVersion();
  const backbone = model ? store.models.getBackbone(model.backboneId) : store.models.listBackbones().at(-1);
  return {
    backbone: backbone ? toSummary(backbone) : null,
    activeModel: model ? { id: model.id, name: model.name } : null,
  };
}
