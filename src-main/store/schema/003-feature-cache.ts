import type { SqliteDatabase } from '../db';
import { isoUtc, sha256 } from './sql-checks';

/*
 * The feature cache (issue 5): backbone features of a frame, computed once and
 * kept as float16 in the content store, found by a key over everything that
 * determines them: the DICOM file's bytes, the frame, the backbone and the
 * preprocessing. The foreground patch mask of the frame (grid_h * grid_w bytes,
 * 0 or 1) is small and kept in the row.
 */
const FEATURE_CACHE = `
CREATE TABLE feature_cache (
  key TEXT PRIMARY KEY ${sha256('key')},                     -- sha256 over file, frame, backbone, preprocessing
  file_sha256 TEXT NOT NULL ${sha256('file_sha256')},         -- the DICOM file's bytes
  frame INTEGER NOT NULL CHECK (frame >= 0),
  backbone_sha256 TEXT NOT NULL ${sha256('backbone_sha256')},
  preprocessing_version TEXT NOT NULL,
  channels INTEGER NOT NULL CHECK (channels >= 1),
  grid_h INTEGER NOT NULL CHECK (grid_h >= 1),
  grid_w INTEGER NOT NULL CHECK (grid_w >= 1),
  features_sha256 TEXT NOT NULL ${sha256('features_sha256')}, -- float16 little-endian [channels, grid_h, grid_w]
  bytes INTEGER NOT NULL CHECK (bytes = 2 * channels * grid_h * grid_w),
  foreground BLOB NOT NULL CHECK (typeof(foreground) = 'blob' AND length(foreground) = grid_h * grid_w),
  created_at TEXT NOT NULL ${isoUtc('created_at')}
);
CREATE INDEX feature_cache_backbone ON feature_cache(backbone_sha256);
CREATE INDEX feature_cache_features ON feature_cache(features_sha256);
`;

export function createFeatureCache(db: SqliteDatabase): void {
  db.exec(FEATURE_CACHE);
}
