/**
 * Which backbone a training run uses. A model is bound to the backbone whose
 * features it learned, so a run never mixes backbones: it uses the one named,
 * else the active model's, else the only one imported; with several and no
 * choice it refuses rather than guess.
 */
import { NormscopeError } from '../api/errors';
import type { Backbone } from '../store/repositories/models-repository';
import type { Store } from '../store/store';

export function chooseTrainingBackbone(store: Pick<Store, 'models' | 'files'>, backboneId?: string): Backbone {
  let backbone: Backbone | undefined;
  if (backboneId) {
    backbone = store.models.getBackbone(backboneId);
    if (!backbone) throw new NormscopeError('NotFound', `backbone ${backboneId} is not imported`);
  } else {
    const active = store.models.activeModelVersion();
    const all = store.models.listBackbones();
    if (active) backbone = store.models.getBackbone(active.backboneId);
    else if (all.length === 1) backbone = all[0];
    else if (all.length === 0) {
      throw new NormscopeError(
        'Refused',
        'no backbone is imported: import a DINOv3 ONNX export (or a stand-in) before training',
      );
    } else {
      throw new NormscopeError(
        'Refused',
        `${all.length} backbones are imported (${all.map((b) => `${b.name} ${b.sha256.slice(0, 12)}`).join(', ')}) ` +
          'and no model is active: name the backbone to train on',
      );
    }
  }
  if (!backbone) throw new NormscopeError('Internal', 'the active model names a backbone that is not stored');
  if (!store.files.has(backbone.fileSha256)) {
    throw new NormscopeError(
      'Refused',
      `the file of backbone ${backbone.name} (sha256 ${backbone.sha256}) is missing from the data directory: import it again`,
    );
  }
  return backbone;
}

/** Embedding size and patch grid of a backbone, from its probed manifest. */
export function backboneGrid(backbone: Backbone): { channels: number; height: number; width: number } {
  const { embedDim, grid } = backbone.manifest as { embedDim?: unknown; grid?: unknown };
  if (typeof embedDim !== 'number' || typeof grid !== 'number') {
    throw new NormscopeError(
      'Refused',
      `backbone ${backbone.name} has no probed embedding size and grid in its manifest: import it again`,
    );
  }
  return { channels: embedDim, height: grid, width: grid };
}
