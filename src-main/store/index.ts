/** The store's public surface: open it with `openStore`, then use its repositories. */
export { openStore } from './store';
export type { Store, StoreLocation, StoreOptions } from './store';
export { DATA_DIR_ENV, dataDirLayout, defaultDataDir, resolveDataDir } from './data-dir';
export type { DataDirLayout, DataDirOptions } from './data-dir';
export { ContentStore, isSha256, sha256Hex } from './content-store';
export type { ContentRef } from './content-store';
export { canonicalJson } from './canonical-json';
export type { SqliteDatabase } from './db';
export type { Clock } from './json-columns';
export type { AuditEntry, AuditInput, AuditVerification } from './repositories/audit-repository';
export type { ImportError } from './repositories/import-errors-repository';
export type { JobRecord, JobUpsert } from './repositories/jobs-repository';
export type {
  Backbone,
  BackboneInput,
  ModelVersion,
  ModelVersionInput,
} from './repositories/models-repository';
export type { Reviewer } from './repositories/reviewers-repository';
export type {
  AnomalyMap,
  ScoringRun,
  ScoringRunInput,
  ScoringRunState,
} from './repositories/scoring-repository';
export type {
  InstanceInput,
  InstanceUpsert,
  PatientInput,
  SeriesInput,
  StudyDetail,
  StudyInput,
  UpsertOutcome,
  WorklistRow,
} from './repositories/studies-repository';
export type { Threshold, ThresholdInput } from './repositories/thresholds-repository';
export type {
  TrainingRun,
  TrainingRunInput,
  TrainingRunPatch,
} from './repositories/training-runs-repository';
export type { Verdict, VerdictInput, VerdictValue } from './repositories/verdicts-repository';
