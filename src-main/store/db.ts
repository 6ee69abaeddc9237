import Database from 'better-sqlite3';
import { NormscopeError } from '../api/errors';

export type SqliteDatabase = Database.Database;

/** Milliseconds a statement waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export interface OpenedDatabase {
  db: SqliteDatabase;
  /** result of `PRAGMA quick_check` at open: always 'ok' (anything else refuses to open) */
  integrity: string;
}

/**
 * Opens the one writer connection of a process on `file` (a path or ':memory:')
 * and checks it: WAL, synchronous=FULL, foreign keys, busy timeout, quick_check.
 * Throws Unavailable, naming the file, when it cannot be opened or is damaged.
 */
export function openDatabase(file: string): OpenedDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (err) {
    throw new NormscopeError(
      'Unavailable',
      `cannot open database ${file}: ${(err as Error).message}`,
    );
  }
  try {
    configure(db, file);
    const integrity = quickCheck(db, file);
    return { db, integrity };
  } catch (err) {
    db.close();
    if (err instanceof NormscopeError) throw err;
    throw new NormscopeError(
      'Unavailable',
      `database ${file} is not usable: ${(err as Error).message}`,
    );
  }
}

function configure(db: SqliteDatabase, file: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (file !== ':memory:') {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new NormscopeError(
        'Unavailable',
        `database ${file} cannot use write-ahead logging (journal mode stays ${String(mode)}); is it on a network drive?`,
      );
    }
  }
  // better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL): in WAL mode a
  // commit is then not fsynced, and a power loss can drop verdicts the user saw acknowledged.
  // FULL syncs the WAL on every commit.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

function quickCheck(db: SqliteDatabase, file: string): string {
  let problems: string[];
  try {
    const rows = db.pragma('quick_check', { simple: false }) as Array<{ quick_check: string }>;
    problems = rows.map((row) => row.quick_check);
  } catch (err) {
    // damage bad enough that the check itself stops (SQLITE_CORRUPT)
    problems = [(err as Error).message];
  }
  if (problems.length === 1 && problems[0] === 'ok') return 'ok';
  throw new NormscopeError(
    'Unavailable',
    `database ${file} failed its integrity check (${problems.slice(0, 3).join('; ')}); restore it from a backup or move it aside`,
  );
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken at the
 * start, so a transaction never fails half-way on a lock upgrade. Nested calls
 * become savepoints. `fn` must be synchronous (better-sqlite3 refuses promises).
 */
export function inTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  return db.transaction(fn).immediate();
}
