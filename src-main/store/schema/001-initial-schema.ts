import type { SqliteDatabase } from '../db';
import {
  NOW,
  RUN_STATES,
  appendOnly,
  flag,
  isoUtc,
  isoUtcOrNull,
  json,
  jsonArray,
  jsonObject,
  jsonOrNull,
  sha256,
  sha256OrNull,
} from './sql-checks';

/*
 * The whole schema of the first release. Conventions:
 * - DICOM entities are keyed by their UIDs; everything the workstation creates by
 *   a uuid (TEXT), except rows whose order matters (verdicts, thresholds, audit
 *   log, import errors), which take increasing INTEGER ids.
 * - Timestamps are ISO 8601 UTC text; DICOM dates are ISO dates (YYYY-MM-DD).
 * - Files (DICOM, ONNX, weights, checkpoints) live in the content store and are
 *   referenced by sha256.
 * - Records of decisions (verdicts, thresholds, audit log) are append-only.
 */
const SCHEMA = `
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL,              -- (0010,0020), '' when absent
  issuer TEXT NOT NULL DEFAULT '',       -- (0010,0021)
  name TEXT,                             -- (0010,0010), as in the file
  birth_date TEXT,                       -- (0010,0030) as YYYY-MM-DD
  sex TEXT CHECK (sex IS NULL OR sex IN ('M', 'F', 'O')),
  created_at TEXT NOT NULL DEFAULT ${NOW} ${isoUtc('created_at')},
  UNIQUE (patient_id, issuer)
);

CREATE TABLE studies (
  study_uid TEXT PRIMARY KEY CHECK (length(study_uid) BETWEEN 1 AND 128),
  patient_ref INTEGER NOT NULL REFERENCES patients(id),
  study_date TEXT CHECK (study_date IS NULL OR study_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  study_time TEXT,                       -- HH:MM:SS[.ffffff]
  description TEXT,
  accession_number TEXT,
  modalities TEXT NOT NULL DEFAULT '[]' ${jsonArray('modalities')}, -- derived from its series
  created_at TEXT NOT NULL DEFAULT ${NOW} ${isoUtc('created_at')},
  updated_at TEXT NOT NULL DEFAULT ${NOW} ${isoUtc('updated_at')}
);
CREATE INDEX studies_patient ON studies(patient_ref);

CREATE TABLE series (
  series_uid TEXT PRIMARY KEY CHECK (length(series_uid) BETWEEN 1 AND 128),
  study_uid TEXT NOT NULL REFERENCES studies(study_uid),
  series_number INTEGER,
  modality TEXT,
  description TEXT,
  frame_of_reference_uid TEXT,
  orientation TEXT ${jsonOrNull('orientation')},   -- ImageOrientationPatient [6 numbers] shared by the series
  spacing TEXT ${jsonOrNull('spacing')},           -- [row mm, column mm, slice mm]
  created_at TEXT NOT NULL DEFAULT ${NOW} ${isoUtc('created_at')}
);
CREATE INDEX series_study ON series(study_uid);

CREATE TABLE instances (
  sop_instance_uid TEXT PRIMARY KEY CHECK (length(sop_instance_uid) BETWEEN 1 AND 128),
  series_uid TEXT NOT NULL REFERENCES series(series_uid),
  sop_class_uid TEXT NOT NULL,
  instance_number INTEGER,
  position_along_normal REAL,            -- mm, ImagePositionPatient projected on the slice normal
  frames INTEGER NOT NULL DEFAULT 1 CHECK (frames >= 1),
  rows INTEGER NOT NULL CHECK (rows >= 1),
  columns INTEGER NOT NULL CHECK (columns >= 1),
  transfer_syntax_uid TEXT NOT NULL,
  file_sha256 TEXT ${sha256OrNull('file_sha256')},  -- copy in the content store
  source_path TEXT,                      -- or the file referenced in place
  file_size INTEGER CHECK (file_size IS NULL OR file_size >= 0),
  attributes TEXT NOT NULL DEFAULT '{}' ${jsonObject('attributes')}, -- header summary for the viewer
  created_at TEXT NOT NULL DEFAULT ${NOW} ${isoUtc('created_at')},
  CHECK (file_sha256 IS NOT NULL OR source_path IS NOT NULL)
);
CREATE INDEX instances_series ON instances(series_uid);
CREATE INDEX instances_file ON instances(file_sha256);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ${RUN_STATES}),
  progress REAL CHECK (progress IS NULL OR (progress >= 0 AND progress <= 1)),
  message TEXT NOT NULL DEFAULT '',
  error TEXT ${jsonOrNull('error')},
  params TEXT NOT NULL DEFAULT '{}' ${json('params')},
  checkpoint TEXT ${jsonOrNull('checkpoint')},
  created_at TEXT NOT NULL ${isoUtc('created_at')},
  updated_at TEXT NOT NULL ${isoUtc('updated_at')}
);
CREATE INDEX jobs_state ON jobs(state);

CREATE TABLE import_errors (
  id INTEGER PRIMARY KEY,
  job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
  path TEXT NOT NULL,
  reason TEXT NOT NULL,
  occurred_at TEXT NOT NULL DEFAULT ${NOW} ${isoUtc('occurred_at')}
);
CREATE INDEX import_errors_job ON import_errors(job_id);

CREATE TABLE reviewers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
  created_at TEXT NOT NULL ${isoUtc('created_at')}
);

CREATE TABLE backbones (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE ${sha256('sha256')},          -- identity shown to users
  file_sha256 TEXT NOT NULL ${sha256('file_sha256')},       -- the ONNX file in the content store
  stand_in INTEGER NOT NULL ${flag('stand_in')},            -- generated stand-in: never for clinical use
  manifest TEXT NOT NULL ${jsonObject('manifest')},         -- probed layout, sizes, preprocessing, source
  created_at TEXT NOT NULL ${isoUtc('created_at')}
);

CREATE TABLE model_versions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  backbone_id TEXT NOT NULL REFERENCES backbones(id),
  ar_config TEXT NOT NULL ${jsonObject('ar_config')},
  weights_sha256 TEXT NOT NULL ${sha256('weights_sha256')},
  preprocessing_version TEXT NOT NULL,
  preprocessing TEXT NOT NULL ${jsonObject('preprocessing')},
  provenance TEXT NOT NULL ${jsonObject('provenance')},     -- training run, seed, studies and their hashes, or the bundle imported
  created_at TEXT NOT NULL ${isoUtc('created_at')},
  created_by TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0 ${flag('active')}
);
CREATE INDEX model_versions_backbone ON model_versions(backbone_id);
-- at most one active model: a second row with active = 1 violates this index
CREATE UNIQUE INDEX model_versions_one_active ON model_versions(active) WHERE active = 1;

CREATE TABLE training_runs (
  id TEXT PRIMARY KEY,
  job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
  backbone_id TEXT NOT NULL REFERENCES backbones(id),
  state TEXT NOT NULL CHECK (state IN ${RUN_STATES}),
  config TEXT NOT NULL ${jsonObject('config')},
  seed INTEGER NOT NULL,
  training_studies TEXT NOT NULL ${jsonArray('training_studies')},
  validation_studies TEXT NOT NULL ${jsonArray('validation_studies')},
  curves TEXT NOT NULL DEFAULT '{}' ${json('curves')},
  metrics TEXT NOT NULL DEFAULT '{}' ${json('metrics')},
  checkpoint_sha256 TEXT ${sha256OrNull('checkpoint_sha256')},
  model_version_id TEXT REFERENCES model_versions(id),       -- the model it produced
  started_by TEXT NOT NULL,
  created_at TEXT NOT NULL ${isoUtc('created_at')},
  updated_at TEXT NOT NULL ${isoUtc('updated_at')},
  finished_at TEXT ${isoUtcOrNull('finished_at')}
);
CREATE INDEX training_runs_job ON training_runs(job_id);

CREATE TABLE scoring_runs (
  id TEXT PRIMARY KEY,
  job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
  model_version_id TEXT NOT NULL REFERENCES model_versions(id),
  backbone_sha256 TEXT NOT NULL ${sha256('backbone_sha256')},
  onnxruntime_version TEXT NOT NULL,
  provider TEXT NOT NULL,
  threads INTEGER NOT NULL CHECK (threads >= 0),
  options TEXT NOT NULL DEFAULT '{}' ${jsonObject('options')},  -- e.g. image score aggregation
  state TEXT NOT NULL CHECK (state IN ${RUN_STATES}),
  started_at TEXT NOT NULL ${isoUtc('started_at')},
  finished_at TEXT ${isoUtcOrNull('finished_at')}
);
CREATE INDEX scoring_runs_model ON scoring_runs(model_version_id);

-- one patch-grid anomaly map per frame: float16 little-endian, row-major [grid_h, grid_w]
CREATE TABLE anomaly_maps (
  scoring_run_id TEXT NOT NULL REFERENCES scoring_runs(id) ON DELETE CASCADE,
  sop_instance_uid TEXT NOT NULL REFERENCES instances(sop_instance_uid) ON DELETE CASCADE,
  frame INTEGER NOT NULL CHECK (frame >= 0),
  grid_h INTEGER NOT NULL CHECK (grid_h >= 1),
  grid_w INTEGER NOT NULL CHECK (grid_w >= 1),
  map BLOB NOT NULL CHECK (typeof(map) = 'blob' AND length(map) = 2 * grid_h * grid_w),
  image_score REAL NOT NULL,
  PRIMARY KEY (scoring_run_id, sop_instance_uid, frame)
);
CREATE INDEX anomaly_maps_instance ON anomaly_maps(sop_instance_uid);

CREATE TABLE series_scores (
  scoring_run_id TEXT NOT NULL REFERENCES scoring_runs(id) ON DELETE CASCADE,
  series_uid TEXT NOT NULL REFERENCES series(series_uid) ON DELETE CASCADE,
  score REAL NOT NULL,
  scored_at TEXT NOT NULL ${isoUtc('scored_at')},
  PRIMARY KEY (scoring_run_id, series_uid)
);
CREATE INDEX series_scores_series ON series_scores(series_uid);

CREATE TABLE study_scores (
  scoring_run_id TEXT NOT NULL REFERENCES scoring_runs(id) ON DELETE CASCADE,
  study_uid TEXT NOT NULL REFERENCES studies(study_uid) ON DELETE CASCADE,
  score REAL NOT NULL,
  scored_at TEXT NOT NULL ${isoUtc('scored_at')},
  PRIMARY KEY (scoring_run_id, study_uid)
);

-- versioned: every change is a new row; the current one is the highest id per model
CREATE TABLE thresholds (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model_version_id TEXT NOT NULL REFERENCES model_versions(id),
  pixel_threshold REAL NOT NULL,
  image_threshold REAL NOT NULL,
  method TEXT NOT NULL ${jsonObject('method')},   -- how it was chosen: target FPR, operating point, ...
  created_at TEXT NOT NULL ${isoUtc('created_at')},
  created_by TEXT NOT NULL
);
CREATE INDEX thresholds_model ON thresholds(model_version_id, id);
${appendOnly('thresholds', 'save a new threshold version instead')}

CREATE TABLE verdicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  study_uid TEXT NOT NULL REFERENCES studies(study_uid),
  series_uid TEXT REFERENCES series(series_uid),
  reviewer_id TEXT NOT NULL REFERENCES reviewers(id),
  verdict TEXT NOT NULL CHECK (verdict IN ('normal', 'abnormal', 'uncertain')),
  comment TEXT NOT NULL DEFAULT '',
  region_marks TEXT NOT NULL DEFAULT '[]' ${jsonArray('region_marks')},
  model_version_id TEXT REFERENCES model_versions(id),   -- the model in force when it was given
  threshold_id INTEGER REFERENCES thresholds(id),        -- and its thresholds
  created_at TEXT NOT NULL ${isoUtc('created_at')},
  supersedes_id INTEGER UNIQUE REFERENCES verdicts(id)    -- a verdict is superseded at most once
);
CREATE INDEX verdicts_study ON verdicts(study_uid);
CREATE TRIGGER verdicts_supersede_same_study BEFORE INSERT ON verdicts
WHEN NEW.supersedes_id IS NOT NULL
  AND (SELECT study_uid FROM verdicts WHERE id = NEW.supersedes_id) IS NOT NEW.study_uid
BEGIN SELECT RAISE(ABORT, 'a verdict can only supersede a verdict on the same study'); END;
${appendOnly('verdicts', 'record a new verdict that supersedes the old one')}

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL ${json('value')},
  updated_at TEXT NOT NULL ${isoUtc('updated_at')}
);

-- hash-chained: hash = sha256(prev_hash || canonical JSON of the entry); see repositories/audit-repository.ts
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL ${isoUtc('time')},
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_ids TEXT NOT NULL ${json('object_ids')},
  details TEXT NOT NULL ${json('details')},
  prev_hash TEXT NOT NULL ${sha256('prev_hash')},
  hash TEXT NOT NULL UNIQUE ${sha256('hash')}
);
${appendOnly('audit_log', 'entries can never be changed or removed')}
`;

export function createInitialSchema(db: SqliteDatabase): void {
  db.exec(SCHEMA);
}
