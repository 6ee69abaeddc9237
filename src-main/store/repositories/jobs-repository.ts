import type { JobKind, JobState } from '../../api/contract';
import type { ApiErrorValue } from '../../api/errors';
import type { SqliteDatabase } from '../db';
import { fromJson, fromJsonOrNull, systemClock, toJson } from '../json-columns';
import type { Clock } from '../json-columns';

/**
 * A job as persisted: the state the UI shows (the jobs service maps it to the
 * contract's JobInfo, adding what derives from the kind) and what a restart
 * needs to resume it.
 */
export interface JobRecord {
  id: string;
  kind: JobKind;
  title: string;
  state: JobState;
  /** 0..1 when known */
  progress: number | null;
  message: string;
  error: ApiErrorValue | null;
  /** what the job was asked to do */
  params: unknown;
  /** where a resumable job got to; null until it has one */
  checkpoint: unknown;
  createdAt: string;
  updatedAt: string;
}

/** Fields of an upsert; timestamps default to now (createdAt is kept for an existing job). */
export type JobUpsert = Omit<JobRecord, 'createdAt' | 'updatedAt'> & {
  createdAt?: string;
  updatedAt?: string;
};

interface JobRow {
  id: string;
  kind: string;
  title: string;
  state: string;
  progress: number | null;
  message: string;
  error: string | null;
  params: string;
  checkpoint: string | null;
  created_at: string;
  updated_at: string;
}

const UNFINISHED = ['queued', 'running', 'paused'] as const;

export class JobsRepository {
  private readonly upsertStatement;
  private readonly selectById;
  private readonly selectRecent;
  private readonly selectUnfinished;

  constructor(
    db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.upsertStatement = db.prepare(
      `INSERT INTO jobs (id, kind, title, state, progress, message, error, params, checkpoint, created_at, updated_at)
       VALUES (@id, @kind, @title, @state, @progress, @message, @error, @params, @checkpoint, @created_at, @updated_at)
       ON CONFLICT (id) DO UPDATE SET
         kind = excluded.kind, title = excluded.title, state = excluded.state, progress = excluded.progress,
         message = excluded.message, error = excluded.error, params = excluded.params,
         checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
    );
    this.selectById = db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?');
    this.selectRecent = db.prepare<[number], JobRow>(
      'SELECT * FROM jobs ORDER BY created_at DESC, id LIMIT ?',
    );
    this.selectUnfinished = db.prepare<[string, string, string], JobRow>(
      'SELECT * FROM jobs WHERE state IN (?, ?, ?) ORDER BY created_at, id',
    );
  }

  /** Inserts or replaces a job's state; returns it as stored. */
  upsert(job: JobUpsert): JobRecord {
    const at = this.now();
    this.upsertStatement.run({
      id: job.id,
      kind: job.kind,
      title: job.title,
      state: job.state,
      progress: job.progress,
      message: job.message,
      error: job.error === null ? null : toJson(job.error, `error of job ${job.id}`),
      params: toJson(job.params ?? {}, `params of job ${job.id}`),
      checkpoint:
        job.checkpoint === null || job.checkpoint === undefined
          ? null
          : toJson(job.checkpoint, `checkpoint of job ${job.id}`),
      created_at: job.createdAt ?? at,
      updated_at: job.updatedAt ?? at,
    });
    return this.get(job.id) as JobRecord;
  }

  get(id: string): JobRecord | undefined {
    const row = this.selectById.get(id);
    return row && toJob(row);
  }

  /** The most recent jobs first. */
  list(limit = 200): JobRecord[] {
    return this.selectRecent.all(limit).map(toJob);
  }

  /** Jobs a restart must resume or fail: queued, running or paused, oldest first. */
  listUnfinished(): JobRecord[] {
    return this.selectUnfinished.all(...UNFINISHED).map(toJob);
  }
}

function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind as JobRecord['kind'],
    title: row.title,
    state: row.state as JobRecord['state'],
    progress: row.progress,
    message: row.message,
    error: fromJsonOrNull(row.error) as JobRecord['error'],
    params: fromJson(row.params),
    checkpoint: fromJsonOrNull(row.checkpoint),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
