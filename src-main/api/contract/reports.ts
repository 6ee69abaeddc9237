import { z } from 'zod';
import { AuditChainStatus } from './audit';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date of the form YYYY-MM-DD');
const OutputPath = z.string().trim().min(1).max(4096);

export const ReportRequest = z
  .object({
    /** first and last day (UTC), inclusive */
    from: Day,
    to: Day,
    /** reviewer name: only that reviewer's verdicts */
    reviewer: z.string().min(1).max(200).optional(),
    /** model version id or name: only its scores */
    modelVersion: z.string().min(1).max(200).optional(),
    deidentify: z.boolean().default(false),
    /** absolute paths on the machine running Normscope; at least one */
    pdfPath: OutputPath.optional(),
    csvPath: OutputPath.optional(),
    jsonPath: OutputPath.optional(),
    /** replace existing files (the UI asks first); otherwise Conflict names them */
    overwrite: z.boolean().default(false),
    /** who asks, for the audit trail (a reviewer's name); 'system' when absent */
    requestedBy: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ReportRequest = z.infer<typeof ReportRequest>;

export const ReportFile = z.object({
  kind: z.enum(['pdf', 'csv', 'json']),
  path: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string(),
});

export const ReportResult = z.object({
  jobId: z.string(),
  /** sha256 of the canonical JSON of the report model (printed in all three outputs) */
  contentSha256: z.string(),
  files: z.array(ReportFile),
  studies: z.number().int().min(0),
  keyImages: z.number().int().min(0),
  keyImageProblems: z.number().int().min(0),
  deidentified: z.boolean(),
  audit: AuditChainStatus,
});
export type ReportResult = z.infer<typeof ReportResult>;

export const reportMethods = {
  /** what the Reports page offers: reviewers, model versions, and a folder for the outputs */
  'reports.options': {
    params: z.object({}).strict(),
    result: z.object({
      reviewers: z.array(z.string()),
      modelVersions: z.array(z.object({ id: z.string(), name: z.string() })),
      /** `<dataDir>/exports`, created on demand */
      outputDir: z.string(),
    }),
  },
  /** starts the report as an 'export' job; Conflict (details.existing) when an output exists and overwrite is false */
  'reports.generate': { params: ReportRequest, result: z.object({ jobId: z.string() }) },
  /** the finished report of a job; null while it runs (follow it with jobs.updated) */
  'reports.result': {
    params: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    result: ReportResult.nullable(),
  },
} as const;
