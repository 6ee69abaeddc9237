import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headAnchorPath } from '../audit/head-anchor';
import { ContentStore } from './content-store';
import { dataDirLayout } from './data-dir';
import type { SqliteDatabase } from './db';
import { inTransaction, openDatabase } from './db';
import type { Clock } from './json-columns';
import { systemClock } from './json-columns';
import { migrate } from './migrations';
import { AuditRepository } from './repositories/audit-repository';
import { ImportErrorsRepository } from './repositories/import-errors-repository';
import { JobsRepository } from './repositories/jobs-repository';
import { ModelsRepository } from './repositories/models-repository';
import { ReviewersRepository } from './repositories/reviewers-repository';
import { ScoringRepository } from './repositories/scoring-repository';
import { SettingsRepository } from './repositories/settings-repository';
import { StudiesRepository } from './repositories/studies-repository';
import { ThresholdsRepository } from './repositories/thresholds-repository';
import { TrainingRunsRepository } from './repositories/training-runs-repository';
import { VerdictsRepository } from './repositories/verdicts-repository';

export type StoreLocation = { dataDir: string } | { memory: true };

export interface StoreOptions {
  /** time source for every timestamp the repositories write (tests pin it) */
  clock?: Clock;
}

/** The data directory's database and files, opened, checked and migrated. One per process. */
export interface Store {
  /** the one writer connection; use the repositories, or prepared statements, never SQL built from input */
  readonly db: SqliteDatabase;
  readonly files: ContentStore;
  /** the data directory, or null for an in-memory store */
  readonly dataDir: string | null;
  /** the database file, or ':memory:' */
  readonly databasePath: string;
  readonly schemaVersion: number;
  /** `PRAGMA quick_check` at open: 'ok' */
  readonly integrity: string;
  readonly settings: SettingsRepository;
  readonly jobs: JobsRepository;
  readonly reviewers: ReviewersRepository;
  readonly verdicts: VerdictsRepository;
  readonly thresholds: ThresholdsRepository;
  readonly audit: AuditRepository;
  readonly studies: StudiesRepository;
  readonly importErrors: ImportErrorsRepository;
  readonly models: ModelsRepository;
  readonly scoring: ScoringRepository;
  readonly trainingRuns: TrainingRunsRepository;
  /** Runs `fn` in one BEGIN IMMEDIATE transaction (savepoint when nested); `fn` must be synchronous. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * Opens the store of a data directory (`<dataDir>/normscope.sqlite` and
 * `<dataDir>/files/`), or an in-memory database with its files in a temporary
 * folder removed on close (tests). Throws Unavailable when the database is
 * damaged or newer than this code.
 */
export function openStore(location: StoreLocation, options: StoreOptions = {}): Store {
  const clock = options.clock ?? systemClock;
  const isMemory = 'memory' in location;
  const root = isMemory ? mkdtempSync(join(tmpdir(), 'normscope-store-')) : location.dataDir;
  const layout = dataDirLayout(root);
  mkdirSync(layout.filesDir, { recursive: true });
  const databasePath = isMemory ? ':memory:' : layout.databasePath;
  const removeTemp = (): void => {
    if (isMemory) rmSync(root, { recursive: true, force: true });
  };

  let opened: ReturnType<typeof openDatabase>;
  try {
    opened = openDatabase(databasePath);
  } catch (err) {
    removeTemp();
    throw err;
  }
  const { db, integrity } = opened;
  let schemaVersion: number;
  try {
    schemaVersion = migrate(db, undefined, `database ${databasePath}`).to;
  } catch (err) {
    db.close();
    removeTemp();
    throw err;
  }
  // the audit chain's head is anchored outside the database (issue 7)
  const audit = new AuditRepository(db, clock, isMemory ? null : headAnchorPath(root));

  return {
    db,
    files: new ContentStore(layout.filesDir),
    dataDir: isMemory ? null : root,
    databasePath,
    schemaVersion,
    integrity,
    settings: new SettingsRepository(db, clock),
    jobs: new JobsRepository(db, clock),
    reviewers: new ReviewersRepository(db, clock),
    verdicts: new VerdictsRepository(db, clock),
    thresholds: new ThresholdsRepository(db, clock),
    audit,
    studies: new StudiesRepository(db, clock),
    importErrors: new ImportErrorsRepository(db, clock),
    models: new ModelsRepository(db, clock),
    scoring: new ScoringRepository(db, clock),
    trainingRuns: new TrainingRunsRepository(db, clock),
    transaction: <T>(fn: () => T): T => {
      try {
        return inTransaction(db, fn);
      } finally {
        // once the outermost transaction has committed or rolled back, the audit head anchor follows it
        if (!db.inTransaction) audit.settleAnchor();
      }
    },
    close(): void {
      if (db.open) db.close();
      removeTemp();
    },
  };
}
