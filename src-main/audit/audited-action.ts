/**
 * The one way to perform an action the audit trail records: the change and its
 * entry share a transaction, so the trail fails closed (issue 7): when the
 * entry cannot be written (disk full, lock, read-only database, anchor file)
 * the change is rolled back and the caller gets a `Refused` error. When the
 * action itself fails, a separate `refused` entry records the attempt, as far
 * as the trail can still be written.
 */
import { NormscopeError } from '../api/errors';
import type { AuditInput } from '../store/repositories/audit-repository';
import type { Store } from '../store/store';
import type { AuditAction } from './actions';

export interface AuditedAction<T> {
  /** the reviewer's name, or 'system' */
  actor: string;
  action: AuditAction;
  objectIds: Record<string, unknown>;
  details?: Record<string, unknown>;
  /** the change itself: synchronous, using the store's repositories */
  run(): T;
  /** ids and details known only once the change is made (e.g. the new verdict's id), merged into the entry */
  describe?(result: T): { objectIds?: Record<string, unknown>; details?: Record<string, unknown> };
}

type AuditStore = Pick<Store, 'transaction' | 'audit'>;

export function performAudited<T>(store: AuditStore, spec: AuditedAction<T>): T {
  let actionDone = false;
  try {
    return store.transaction(() => {
      const result = spec.run();
      actionDone = true;
      const extra = spec.describe?.(result) ?? {};
      store.audit.append({
        actor: spec.actor,
        action: spec.action,
        objectIds: { ...spec.objectIds, ...extra.objectIds },
        details: { ...spec.details, ...extra.details },
      });
      return result;
    });
  } catch (err) {
    recordRefusal(store, spec, err);
    if (actionDone) {
      // the change was made but its entry could not be written: it was rolled back
      throw new NormscopeError(
        'Refused',
        `${spec.action} was refused because the audit trail cannot be written: ${(err as Error).message}`,
      );
    }
    throw err;
  }
}

/** Best effort: when the trail itself is what failed, this entry fails too, and the original error stands. */
function recordRefusal(store: AuditStore, spec: AuditedAction<unknown>, err: unknown): void {
  const entry: AuditInput = {
    actor: spec.actor,
    action: 'refused',
    objectIds: spec.objectIds,
    details: {
      attempted: spec.action,
      error: {
        name: err instanceof NormscopeError ? err.name : 'Internal',
        message: err instanceof Error ? err.message : String(err),
      },
    },
  };
  try {
    store.transaction(() => store.audit.append(entry));
  } catch {
    // nothing more can be recorded; the caller still gets the original error
  }
}
