/**
 * The job tray's list: what jobs.list returned, kept current by
 * 'jobs.updated' events. A list and events can arrive in any order, so for
 * each job the copy with the later `updatedAt` wins.
 */
import type { JobInfo } from '../../src-main/api/contract';

const ACTIVE_STATES: ReadonlySet<JobInfo['state']> = new Set(['queued', 'running', 'paused']);

export function isActive(job: JobInfo): boolean {
  return ACTIVE_STATES.has(job.state);
}

/** Active jobs first, then the rest; newest first within each group. */
function byTrayOrder(a: JobInfo, b: JobInfo): number {
  const active = Number(isActive(b)) - Number(isActive(a));
  if (active !== 0) return active;
  return b.createdAt.localeCompare(a.createdAt);
}

/** Merges `incoming` jobs into `current`, keeping for each id the most recently updated copy. */
export function mergeJobs(current: readonly JobInfo[], incoming: readonly JobInfo[]): JobInfo[] {
  const byId = new Map(current.map((job) => [job.id, job]));
  for (const job of incoming) {
    const known = byId.get(job.id);
    if (!known || known.updatedAt <= job.updatedAt) byId.set(job.id, job);
  }
  return [...byId.values()].sort(byTrayOrder);
}

export function activeCount(jobs: readonly JobInfo[]): number {
  return jobs.filter(isActive).length;
}

export type JobAction = 'pause' | 'resume' | 'cancel';

/** The actions that make sense for a job now, in the order the tray shows them. */
export function actionsFor(job: JobInfo): JobAction[] {
  if (!isActive(job)) return [];
  if (job.state === 'paused') return ['resume', 'cancel'];
  if (job.state === 'running' && job.pausable) return ['pause', 'cancel'];
  return ['cancel'];
}
