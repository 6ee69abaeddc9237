/**
 * The model registry: versions, comparison, activation and roll-back.
 * Activation only changes which version scores from now on: stored scores keep
 * the version that made them (the scoring tables reference it), and the
 * answer says how many studies still carry another version's score, so the
 * window can offer to rescore them.
 */
import type { ModelVersionInfo } from '../api/contract';
import { NormscopeError } from '../api/errors';
import type { Store } from '../store/store';
import { toModelInfo } from './model-info';

const ACTIVATE_ACTION = 'model.activate';
const ROLLBACK_ACTION = 'model.rollback';

type RegistryStore = Pick<Store, 'models' | 'thresholds' | 'studies' | 'audit' | 'transaction'>;

export function listModels(store: Pick<Store, 'models' | 'thresholds'>): ModelVersionInfo[] {
  return store.models.listModelVersions().map((v) => toModelInfo(store, v));
}

export function getModel(store: Pick<Store, 'models' | 'thresholds'>, id: string): ModelVersionInfo {
  const version = store.models.getModelVersion(id);
  if (!version) throw new NormscopeError('NotFound', `model version ${id} does not exist`);
  return toModelInfo(store, version);
}

function formatLoss(value: number | null): string {
  return value === null ? 'n/a' : value.toPrecision(4);
}

/** One sentence per version: when validation loss stopped improving, and what it reached. */
export function expectationText(model: ModelVersionInfo): string {
  const { metrics, curves } = model;
  const epochs = curves.trainLoss.length;
  if (epochs === 0) return 'No training curves recorded (an imported or engine-made version).';
  if (curves.valLoss.length === 0) {
    return `Trained ${epochs} epochs without validation studies: no measure of when it stopped improving.`;
  }
  const plateau = metrics.plateauEpoch ?? epochs;
  const stopped =
    plateau >= epochs
      ? `Validation loss was still improving by more than 1% at the last epoch (${epochs}): more epochs may help.`
      : `Validation loss stopped improving by more than 1% after epoch ${plateau} of ${epochs}.`;
  const aupr = metrics.valAupr === null ? '' : ` Validation image AUPR ${metrics.valAupr.toFixed(3)}.`;
  return `${stopped} Best validation loss ${formatLoss(metrics.bestValLoss)} at epoch ${metrics.bestEpoch ?? 'n/a'}.${aupr}`;
}

export function compareModels(
  store: Pick<Store, 'models' | 'thresholds'>,
  ids: readonly string[],
): { versions: ModelVersionInfo[]; expectations: { id: string; text: string }[] } {
  const versions = ids.map((id) => getModel(store, id));
  return { versions, expectations: versions.map((v) => ({ id: v.id, text: expectationText(v) })) };
}

function studiesScoredByOthers(store: Pick<Store, 'studies'>, modelId: string): number {
  return store.studies.listWorklist().filter((row) => row.score && row.score.modelVersionId !== modelId).length;
}

/** Makes `id` the active version; audited in the same transaction. */
export function activateModel(
  store: RegistryStore,
  id: string,
  actor: string,
  action: typeof ACTIVATE_ACTION | typeof ROLLBACK_ACTION = ACTIVATE_ACTION,
): { model: ModelVersionInfo; studiesScoredByOtherVersions: number } {
  store.transaction(() => {
    const previous = store.models.activeModelVersion();
    store.models.activate(id);
    store.audit.append({
      actor,
      action,
      objectIds: { modelVersionId: id },
      details: { previousModelVersionId: previous?.id ?? null },
    });
  });
  return { model: getModel(store, id), studiesScoredByOtherVersions: studiesScoredByOthers(store, id) };
}

/** The version that was active before the current one, by the audit trail: an activation pushes, a roll-back pops. */
function previousActiveId(store: RegistryStore, currentId: string): string | undefined {
  const stack: string[] = [];
  let from = 1;
  for (;;) {
    const page = store.audit.list(from, 1000);
    for (const entry of page) {
      const id = entry.objectIds.modelVersionId;
      if (typeof id !== 'string') continue;
      if (entry.action === ACTIVATE_ACTION) {
        if (stack.at(-1) !== id) stack.push(id);
      } else if (entry.action === ROLLBACK_ACTION) {
        stack.pop();
        if (stack.at(-1) !== id) stack.push(id);
      }
    }
    if (page.length < 1000) break;
    from = page[page.length - 1]!.seq + 1;
  }
  const previous = stack.at(-1) === currentId ? stack.at(-2) : undefined;
  return previous && store.models.getModelVersion(previous) ? previous : undefined;
}

/** What rollbackModel would activate now, or null (no model active, or none active before it). */
export function rollbackTarget(store: RegistryStore): ModelVersionInfo | null {
  const current = store.models.activeModelVersion();
  const previous = current ? previousActiveId(store, current.id) : undefined;
  return previous ? getModel(store, previous) : null;
}

/**
 * Activates the version that was active before the current one became active
 * (following earlier roll-backs back in time). Throws Conflict when there is
 * none.
 */
export function rollbackModel(
  store: RegistryStore,
  actor: string,
): { model: ModelVersionInfo; studiesScoredByOtherVersions: number } {
  const current = store.models.activeModelVersion();
  if (!current) throw new NormscopeError('Conflict', 'no model is active, so there is nothing to roll back');
  const previous = previousActiveId(store, current.id);
  if (!previous) {
    throw new NormscopeError('Conflict', `no earlier active version to roll back to from ${current.name}`);
  }
  return activateModel(store, previous, actor, ROLLBACK_ACTION);
}
