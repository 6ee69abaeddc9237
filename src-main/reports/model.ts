/**
 * The report model: everything an audit report shows, as plain JSON values.
 * The PDF, CSV and JSON writers only lay it out; its content hash
 * (content-hash.ts) is computed over it and printed in all three.
 */
import type { AuditChainStatus } from '../api/contract/audit';

export const REPORT_FORMAT = 'normscope-report/1';

export interface ReportRequest {
  /** first day, YYYY-MM-DD (UTC), inclusive */
  from: string;
  /** last day, YYYY-MM-DD (UTC), inclusive */
  to: string;
  /** only verdicts of this reviewer (name) */
  reviewer?: string;
  /** only scores of this model version (id or name) */
  modelVersion?: string;
  /** PS3.15 basic-profile de-identification of what the report shows (deidentify.ts) */
  deidentify?: boolean;
}

export type VerdictValue = 'normal' | 'abnormal' | 'uncertain';

/**
 * 'agree' / 'disagree': the AI flag against the reviewed verdict (abnormal =
 * flagged); 'uncertain': the verdict is uncertain; 'unreviewed': no verdict in
 * scope; 'unscored': no score in scope; 'no-threshold': scored by a model with
 * no threshold in force, so nothing was flagged or not.
 */
export type Agreement =
  'agree' | 'disagree' | 'uncertain' | 'unreviewed' | 'unscored' | 'no-threshold';

export interface ReportVerdict {
  id: number;
  verdict: VerdictValue;
  reviewer: string;
  /** ISO 8601 UTC (shifted when de-identified) */
  at: string;
  supersedesId: number | null;
}

export interface ReportRow {
  patientName: string | null;
  patientId: string;
  accessionNumber: string | null;
  studyUid: string;
  studyDate: string | null;
  /** null when de-identified (free text) */
  description: string | null;
  modelVersionId: string | null;
  modelName: string | null;
  /** the study score (max over its images) of the latest scoring in scope */
  score: number | null;
  scoredAt: string | null;
  thresholdId: number | null;
  imageThreshold: number | null;
  /** score >= image threshold */
  flagged: boolean | null;
  /** the verdicts in scope, oldest first; the last one is the one compared */
  verdicts: ReportVerdict[];
  agreement: Agreement;
}

export interface ThresholdInForce {
  id: number;
  imageThreshold: number;
  pixelThreshold: number;
  createdAt: string;
  createdBy: string;
  method: Record<string, unknown>;
}

export interface ReportModelVersion {
  id: string;
  name: string;
  backbone: { name: string; sha256: string; standIn: boolean };
  weightsSha256: string;
  arConfig: Record<string, unknown>;
  preprocessingVersion: string;
  preprocessing: Record<string, unknown>;
  /** the versions used by the rows, oldest first */
  thresholds: ThresholdInForce[];
}

export interface AgreementFigures {
  /** abnormal verdicts are the positives; the AI flag is the call */
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  /** TP / (TP + FN); null without abnormal verdicts */
  sensitivity: number | null;
  /** TN / (TN + FP); null without normal verdicts */
  specificity: number | null;
  /** (TP + TN) / compared */
  agreementRate: number | null;
  compared: number;
  uncertain: number;
  unreviewed: number;
  unscored: number;
  noThreshold: number;
}

export interface KeyImage {
  studyUid: string;
  sopInstanceUid: string;
  frame: number;
  imageScore: number;
  reason: 'flagged' | 'disagreement';
  width: number;
  height: number;
  /** sha256 of the PNG (the bytes travel beside the model, not in it) */
  pngSha256: string;
  overlay: {
    colormap: string;
    opacity: number;
    threshold: number;
    scaleMin: number;
    scaleMax: number;
  };
}

export interface ReportModel {
  format: typeof REPORT_FORMAT;
  generatedAt: string;
  normscopeVersion: string;
  scope: {
    from: string;
    to: string;
    reviewerFilter: string | null;
    modelFilter: string | null;
    reviewers: string[];
    modelVersions: ReportModelVersion[];
    deidentified: boolean;
    /** how, when deidentified */
    deidentification: string | null;
  };
  rows: ReportRow[];
  agreement: AgreementFigures;
  keyImages: KeyImage[];
  /** key images that could not be rendered, with the reason (the report is still made) */
  keyImageProblems: Array<{ studyUid: string; reason: string }>;
  audit: AuditChainStatus;
}

/** A built report: the model, its content hash and the key images' PNG bytes by sha256. */
export interface BuiltReport {
  model: ReportModel;
  contentSha256: string;
  images: Map<string, Uint8Array>;
}
