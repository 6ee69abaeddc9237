/** Who an action is recorded under: the reviewer's name, or 'system' when no reviewer is named. */
import { NormscopeError } from '../api/errors';
import type { Store } from '../store/store';

export function actorName(store: Pick<Store, 'reviewers'>, reviewerId: string | undefined): string {
  if (reviewerId === undefined) return 'system';
  const reviewer = store.reviewers.get(reviewerId);
  if (!reviewer) throw new NormscopeError('NotFound', `reviewer ${reviewerId} does not exist`);
  return reviewer.name;
}
