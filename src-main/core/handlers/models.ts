/** `models.*`: thin over the model registry and bundles (src-main/models). */
import type { Handler } from '../../api/dispatch';
import { actorName } from '../../models/actor';
import { exportModel, importModel } from '../../models/bundle-files';
import { activateModel, compareModels, getModel, listModels, rollbackModel, rollbackTarget } from '../../models/registry';
import type { Store } from '../../store/store';

export function modelHandlers(store: Store): {
  'models.list': Handler<'models.list'>;
  'models.get': Handler<'models.get'>;
  'models.compare': Handler<'models.compare'>;
  'models.activate': Handler<'models.activate'>;
  'models.rollbackTarget': Handler<'models.rollbackTarget'>;
  'models.rollback': Handler<'models.rollback'>;
  'models.export': Handler<'models.export'>;
  'models.import': Handler<'models.import'>;
} {
  return {
    'models.list': () => listModels(store),
    'models.get': ({ id }) => getModel(store, id),
    'models.compare': ({ ids }) => compareModels(store, ids),
    'models.activate': ({ id, reviewerId }) => activateModel(store, id, actorName(store, reviewerId)),
    'models.rollbackTarget': () => rollbackTarget(store),
    'models.rollback': ({ reviewerId }) => rollbackModel(store, actorName(store, reviewerId)),
    'models.export': ({ id, out, overwrite, reviewerId }) =>
      exportModel(store, id, out, overwrite, actorName(store, reviewerId)),
    'models.import': ({ file, reviewerId }) => importModel(store, file, actorName(store, reviewerId)),
  };
}
