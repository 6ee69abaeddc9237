import type { SqliteDatabase } from '../db';
import type { Clock } from '../json-columns';
import { systemClock } from '../json-columns';

export interface ImportError {
  id: number;
  jobId: string | null;
  path: string;
  reason: string;
  occurredAt: string;
}

interface ImportErrorRow {
  id: number;
  job_id: string | null;
  path: string;
  reason: string;
  occurred_at: string;
}

/** Files an import could not take, with the reason, so the user sees every one. */
export class ImportErrorsRepository {
  private readonly insert;
  private readonly selectByJob;

  constructor(
    db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insert = db.prepare<[string | null, string, string, string]>(
      'INSERT INTO import_errors (job_id, path, reason, occurred_at) VALUES (?, ?, ?, ?)',
    );
    this.selectByJob = db.prepare<[string], ImportErrorRow>(
      'SELECT * FROM import_errors WHERE job_id = ? ORDER BY id',
    );
  }

  record(jobId: string | null, path: string, reason: string): void {
    this.insert.run(jobId, path, reason, this.now());
  }

  listForJob(jobId: string): ImportError[] {
    return this.selectByJob.all(jobId).map((row) => ({
      id: row.id,
      jobId: row.job_id,
      path: row.path,
      reason: row.reason,
      occurredAt: row.occurred_at,
    }));
  }
}
