/**
 * What the job manager keeps across a restart, and where. The SQLite store's
 * `JobsRepository` (src-main/store) has this shape, so `store.jobs` is passed
 * as the persistence as it is; `InMemoryJobPersistence` serves tests and runs
 * without a database.
 */
import type { JobKind, JobState } from '../api/contract';
import type { ApiErrorValue } from '../api/errors';

export interface PersistedJob {
  id: string;
  kind: JobKind;
  title: string;
  state: JobState;
  /** 0..1, or null when unknown */
  progress: number | null;
  message: string;
  error: ApiErrorValue | null;
  /** the job's parameters (JSON values), handed to its resumer after a restart */
  params: unknown;
  /** the run's last checkpoint (JSON values), or null before its first */
  checkpoint: unknown;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  updatedAt: string;
}

export interface JobPersistence {
  /** Inserts the job, or replaces the stored one with this id. */
  upsert(job: PersistedJob): void;
  /** Jobs left queued, running or paused, oldest first. */
  listUnfinished(): PersistedJob[];
}

const UNFINISHED_STATES: readonly JobState[] = ['queued', 'running', 'paused'];

export function isUnfinished(state: JobState): boolean {
  return UNFINISHED_STATES.includes(state);
}

/** Stores copies (through JSON, as a database would), so later changes to a job do not leak in. */
export class InMemoryJobPersistence implements JobPersistence {
  private readonly rows = new Map<string, string>();

  upsert(job: PersistedJob): void {
    this.rows.set(job.id, JSON.stringify(job));
  }

  listUnfinished(): PersistedJob[] {
    return [...this.rows.values()]
      .map((row) => JSON.parse(row) as PersistedJob)
      .filter((job) => isUnfinished(job.state))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The stored job, for tests that check what survives a restart. */
  get(id: string): PersistedJob | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : (JSON.parse(row) as PersistedJob);
  }
}
