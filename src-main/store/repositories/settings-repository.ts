import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, systemClock, toJson } from '../json-columns';

/**
 * Settings as key -> JSON value. The caller validates values (the contract's
 * Settings schema) before merging and applies defaults after reading.
 */
export class SettingsRepository {
  private readonly selectAll;
  private readonly upsert;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.selectAll = db.prepare<[], { key: string; value: string }>(
      'SELECT key, value FROM settings ORDER BY key',
    );
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  getAll(): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const row of this.selectAll.all()) values[row.key] = fromJson(row.value);
    return values;
  }

  /** Stores each given key in one transaction (undefined values are skipped) and returns all settings. */
  merge(values: Record<string, unknown>): Record<string, unknown> {
    const at = this.now();
    inTransaction(this.db, () => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        this.upsert.run(key, toJson(value, `setting ${key}`), at);
      }
    });
    return this.getAll();
  }
}
