/**
 * The reviewer a command acts as, named on the command line: found by name
 * through `review.reviewers`, created through `review.createReviewer` when the
 * name is new, so a scripted review needs no setup step.
 */
import type { Reviewer } from '../api/contract/review';
import type { Core } from '../core';
import { call } from './with-core';

export async function reviewerNamed(core: Core, name: string): Promise<Reviewer> {
  const wanted = name.trim();
  const existing = (await call(core, 'review.reviewers', {})).find((r) => r.name === wanted);
  return existing ?? (await call(core, 'review.createReviewer', { name: wanted }));
}
