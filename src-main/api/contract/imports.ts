/**
 * `imports.*`: DICOM import as a job (issue 4). Files, folders, zip archives
 * and DICOMDIRs; progress, cancel and errors through the job tray. The
 * worklist hears about new studies through `studies.changed` (reason 'import').
 */
import { z } from 'zod';
import { JobId, JobInfo } from './jobs';

/** An absolute or working-directory-relative path on the machine running the core. */
const LocalPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'a path cannot contain NUL');

export const ImportStartParams = z
  .object({
    paths: z.array(LocalPath).min(1).max(10_000),
  })
  .strict();

export const ImportErrorInfo = z.object({
  /** the file, or `archive.zip › entry name` for a zip entry */
  path: z.string(),
  reason: z.string(),
});
export type ImportErrorInfo = z.infer<typeof ImportErrorInfo>;

export const importMethods = {
  /** starts an import job; files already imported are skipped (a re-import is a no-op) */
  'imports.start': { params: ImportStartParams, result: JobInfo },
  /** the files the job could not import, with the reason, oldest first */
  'imports.errors': { params: JobId, result: z.array(ImportErrorInfo) },
} as const;
