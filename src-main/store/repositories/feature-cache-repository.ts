import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { systemClock } from '../json-columns';

/** One cached frame: where its float16 features lie in the content store, and its foreground mask. */
export interface FeatureCacheEntry {
  key: string;
  fileSha256: string;
  frame: number;
  backboneSha256: string;
  preprocessingVersion: string;
  channels: number;
  gridH: number;
  gridW: number;
  /** float16 little-endian [channels, gridH, gridW] in the content store */
  featuresSha256: string;
  /** [gridH, gridW], 1 = foreground patch */
  foreground: Uint8Array;
}

interface EntryRow {
  key: string;
  file_sha256: string;
  frame: number;
  backbone_sha256: string;
  preprocessing_version: string;
  channels: number;
  grid_h: number;
  grid_w: number;
  features_sha256: string;
  foreground: Buffer;
}

/** The feature cache's index (schema 003): key -> content-store blob and foreground mask. */
export class FeatureCacheRepository {
  private readonly selectEntry;
  private readonly upsertEntry;
  private readonly selectStats;
  private readonly selectBlobs;
  private readonly deleteAll;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.selectEntry = db.prepare<[string], EntryRow>('SELECT * FROM feature_cache WHERE key = ?');
    // the same key computed twice (two jobs at once) describes the same features: the later row wins
    this.upsertEntry = db.prepare(
      `INSERT OR REPLACE INTO feature_cache (key, file_sha256, frame, backbone_sha256, preprocessing_version, channels,
         grid_h, grid_w, features_sha256, bytes, foreground, created_at)
       VALUES (@key, @file_sha256, @frame, @backbone_sha256, @preprocessing_version, @channels,
         @grid_h, @grid_w, @features_sha256, @bytes, @foreground, @created_at)`,
    );
    // identical features (e.g. two blank frames) share one blob: count its bytes once
    this.selectStats = db.prepare<[], { entries: number; bytes: number | null }>(
      `SELECT (SELECT count(*) FROM feature_cache) AS entries,
         (SELECT sum(bytes) FROM (SELECT DISTINCT features_sha256, bytes FROM feature_cache)) AS bytes`,
    );
    this.selectBlobs = db.prepare<[], { features_sha256: string }>(
      'SELECT DISTINCT features_sha256 FROM feature_cache',
    );
    this.deleteAll = db.prepare('DELETE FROM feature_cache');
  }

  get(key: string): FeatureCacheEntry | undefined {
    const row = this.selectEntry.get(key);
    return (
      row && {
        key: row.key,
        fileSha256: row.file_sha256,
        frame: row.frame,
        backboneSha256: row.backbone_sha256,
        preprocessingVersion: row.preprocessing_version,
        channels: row.channels,
        gridH: row.grid_h,
        gridW: row.grid_w,
        featuresSha256: row.features_sha256,
        foreground: new Uint8Array(row.foreground),
      }
    );
  }

  /** Records many entries in one transaction. */
  putAll(entries: readonly FeatureCacheEntry[]): void {
    const createdAt = this.now();
    inTransaction(this.db, () => {
      for (const entry of entries) {
        this.upsertEntry.run({
          key: entry.key,
          file_sha256: entry.fileSha256,
          frame: entry.frame,
          backbone_sha256: entry.backboneSha256,
          preprocessing_version: entry.preprocessingVersion,
          channels: entry.channels,
          grid_h: entry.gridH,
          grid_w: entry.gridW,
          features_sha256: entry.featuresSha256,
          bytes: 2 * entry.channels * entry.gridH * entry.gridW,
          foreground: Buffer.from(
            entry.foreground.buffer,
            entry.foreground.byteOffset,
            entry.foreground.byteLength,
          ),
          created_at: createdAt,
        });
      }
    });
  }

  /** Entries, and bytes of their distinct blobs. */
  stats(): { entries: number; bytes: number } {
    const row = this.selectStats.get()!;
    return { entries: row.entries, bytes: row.bytes ?? 0 };
  }

  /** Forgets every entry; returns the blobs they referenced (the caller removes the files). */
  clear(): string[] {
    return inTransaction(this.db, () => {
      const blobs = this.selectBlobs.all().map((row) => row.features_sha256);
      this.deleteAll.run();
      return blobs;
    });
  }
}
