/**
 * The reading session shared by the worklist and the viewer: who is reading,
 * which study is open, and the worklist order the viewer's next/previous keys
 * follow. A tiny external store (not React state) so both sections see the
 * same values without a provider in the app shell; the reviewer is kept for
 * the browser tab's life (sessionStorage), never longer.
 */
import { useSyncExternalStore } from 'react';
import type { Reviewer } from '../../src-main/api/contract';

export interface ReviewSession {
  reviewer: Reviewer | null;
  studyUid: string | null;
  /** study UIDs in the order the worklist shows them (filters and sort applied) */
  order: readonly string[];
}

const REVIEWER_KEY = 'normscope.reviewer';

function storedReviewer(): Reviewer | null {
  try {
    const raw = window.sessionStorage.getItem(REVIEWER_KEY);
    return raw ? (JSON.parse(raw) as Reviewer) : null;
  } catch {
    return null;
  }
}

let state: ReviewSession = { reviewer: typeof window === 'undefined' ? null : storedReviewer(), studyUid: null, order: [] };
const listeners = new Set<() => void>();

function update(patch: Partial<ReviewSession>): void {
  state = { ...state, ...patch };
  for (const listener of [...listeners]) listener();
}

export function useReviewSession(): ReviewSession {
  return useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    () => state,
  );
}

export function setReviewer(reviewer: Reviewer | null): void {
  if (reviewer) window.sessionStorage.setItem(REVIEWER_KEY, JSON.stringify(reviewer));
  else window.sessionStorage.removeItem(REVIEWER_KEY);
  update({ reviewer });
}

export function setWorklistOrder(order: readonly string[]): void {
  if (order.length === state.order.length && order.every((uid, i) => uid === state.order[i])) return;
  update({ order });
}

/** Opens a study in the viewer section. */
export function openStudy(studyUid: string): void {
  update({ studyUid });
  window.location.hash = '/viewer';
}

/** The study `step` places after (or before, when negative) the open one in the worklist order, or null at an end. */
export function neighbourStudy(session: ReviewSession, step: number): string | null {
  const at = session.studyUid ? session.order.indexOf(session.studyUid) : -1;
  if (at < 0) return session.order[0] ?? null;
  return session.order[at + step] ?? null;
}

export function showStudy(studyUid: string): void {
  update({ studyUid });
}
