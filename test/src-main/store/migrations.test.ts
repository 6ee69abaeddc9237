import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src-main/store/db';
import type { SqliteDatabase } from '../../../src-main/store/db';
import { MIGRATIONS, migrate, schemaVersion } from '../../../src-main/store/migrations';
import { openStore } from '../../../src-main/store/store';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normscope-migrations-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tableNames(db: SqliteDatabase): string[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name",
    )
    .all()
    .map((row) => row.name);
}

describe('migrations', () => {
  it('build the whole schema on an empty database and record the version', () => {
    const { db } = openDatabase(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tableNames(db)).toEqual(
      expect.arrayContaining([
        'patients',
        'studies',
        'series',
        'instances',
        'import_errors',
        'backbones',
        'model_versions',
        'training_runs',
        'scoring_runs',
        'anomaly_maps',
        'series_scores',
        'study_scores',
        'thresholds',
        'reviewers',
        'verdicts',
        'settings',
        'jobs',
        'audit_log',
        'study_worklist',
      ]),
    );
    expect(migrate(db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    db.close();
  });

  it('upgrade a database written by an older version (before the worklist view) and keep its data', () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'normscope.sqlite');
    {
      const { db } = openDatabase(file);
      migrate(db, MIGRATIONS.slice(0, 1));
      expect(schemaVersion(db)).toBe(1);
      expect(tableNames(db)).not.toContain('study_worklist');
      db.prepare("INSERT INTO patients (patient_id, name) VALUES ('P-9', 'Old^Patient')").run();
      db.prepare(
        "INSERT INTO studies (study_uid, patient_ref, study_date) VALUES ('1.2.3', (SELECT id FROM patients), '2025-12-31')",
      ).run();
      db.prepare(
        "INSERT INTO reviewers (id, name, created_at) VALUES ('r1', 'Dr A', '2026-01-01T00:00:00.000Z')",
      ).run();
      db.prepare(
        "INSERT INTO verdicts (study_uid, reviewer_id, verdict, created_at) VALUES ('1.2.3', 'r1', 'abnormal', '2026-01-02T00:00:00.000Z')",
      ).run();
      db.close();
    }
    const store = openStore({ dataDir });
    try {
      expect(store.schemaVersion).toBe(MIGRATIONS.length);
      const [row] = store.studies.listWorklist();
      expect(row).toMatchObject({ studyUid: '1.2.3', patientId: 'P-9', studyDate: '2025-12-31' });
      expect(row?.verdict?.value).toBe('abnormal');
    } finally {
      store.close();
    }
  });

  it('refuse a database from a newer Normscope with a message that says so', () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'normscope.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const known = MIGRATIONS.length;
    expect(() => openStore({ dataDir })).toThrow(
      `schema version ${known + 1}, newer than this Normscope knows (${known}); update Normscope`,
    );
  });

  it('leave the database at the last whole version when a migration fails', () => {
    const { db } = openDatabase(':memory:');
    const failing = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        up: (d: SqliteDatabase) => d.exec('CREATE TABLE half_done (x); SELECT no_such_function();'),
      },
    ];
    expect(() => migrate(db, failing)).toThrow(
      new RegExp(
        `could not be upgraded to schema version ${MIGRATIONS.length + 1} \\(broken\\); it stays at version ${MIGRATIONS.length}: .*no_such_function`,
      ),
    );
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tableNames(db)).not.toContain('half_done');
    db.close();
  });

  it('tolerate another process migrating the same new database first (two commands opening one data directory at once)', () => {
    const file = join(tempDir(), 'normscope.sqlite');
    const first = openDatabase(file).db;
    const second = openDatabase(file).db;
    // the second process read version 0 before the first one took the write lock and migrated
    let staleReads = 1;
    const stale = new Proxy(second, {
      get(target, prop) {
        if (prop === 'pragma') {
          return (source: string, options?: { simple?: boolean }) =>
            source === 'user_version' && staleReads-- > 0 ? 0 : target.pragma(source, options);
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    migrate(first);
    expect(migrate(stale)).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(schemaVersion(second)).toBe(MIGRATIONS.length);
    first.close();
    second.close();
  });
});
