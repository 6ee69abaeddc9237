import { NormscopeError } from '../api/errors';
import type { SqliteDatabase } from './db';
import { inTransaction } from './db';
import { createInitialSchema } from './schema/001-initial-schema';
import { createWorklistView } from './schema/002-worklist';
import { createFeatureCache } from './schema/003-feature-cache';

export interface Migration {
  /** 1, 2, 3 ... in order; recorded in `PRAGMA user_version` */
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}

/** Every schema change ever released, oldest first. Append; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: createInitialSchema },
  { version: 2, name: 'worklist view and indexes', up: createWorklistView },
  { version: 3, name: 'feature cache', up: createFeatureCache },
];

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings `db` up to the newest version in `migrations`, each migration in its
 * own transaction together with its version bump, so a crash leaves the
 * database at a whole version, and two processes opening a new data directory
 * at once do not both run the same migration. Refuses (Unavailable) a database written by a
 * newer Normscope rather than guess at a schema it does not know.
 */
export function migrate(
  db: SqliteDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
  label = 'database',
): MigrationResult {
  checkOrder(migrations);
  const from = schemaVersion(db);
  const known = migrations.at(-1)?.version ?? 0;
  if (from > known) {
    throw new NormscopeError(
      'Unavailable',
      `${label} has schema version ${from}, newer than this Normscope knows (${known}); update Normscope or choose another data directory`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    try {
      inTransaction(db, () => {
        // another process opening the same data directory may have applied it while
        // this one waited for the write lock: the version read under the lock decides
        if (schemaVersion(db) >= migration.version) return;
        migration.up(db);
        // a number from our own list, not input: pragmas take no bound parameters
        db.pragma(`user_version = ${migration.version}`);
      });
    } catch (err) {
      throw new NormscopeError(
        'Unavailable',
        `${label} could not be upgraded to schema version ${migration.version} (${migration.name}); it stays at version ${schemaVersion(db)}: ${(err as Error).message}`,
      );
    }
  }
  return { from, to: schemaVersion(db) };
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1 || !Number.isInteger(migration.version)) {
      throw new NormscopeError(
        'Internal',
        `migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`,
      );
    }
  });
}
