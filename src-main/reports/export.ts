/**
 * Writing a built report out: PDF, CSV and JSON, each atomically (temporary
 * file beside it, fsync, rename), never over an existing file unless the
 * caller says so, and recorded in the audit trail in the same step: when the
 * 'export' entry cannot be written, the files just placed are removed again
 * and the export is refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NormscopeError } from '../api/errors';
import { commitTemp, writeTempBeside } from '../audit/atomic-file';
import { performAudited } from '../audit/audited-action';
import type { Store } from '../store/store';
import type { BuiltReport } from './model';
import { reportCsv } from './writers/csv';
import { reportJson } from './writers/json';
import { reportPdf } from './writers/pdf';

export type ReportFileKind = 'pdf' | 'csv' | 'json';

export type ReportOutputs = Partial<Record<ReportFileKind, string>>;

export interface WrittenFile {
  kind: ReportFileKind;
  path: string;
  bytes: number;
  sha256: string;
}

/** Absolute output paths; InvalidRequest when none is given, one is repeated, or its folder does not exist. */
export function resolveOutputs(
  outputs: ReportOutputs,
): Array<{ kind: ReportFileKind; path: string }> {
  const files = (Object.entries(outputs) as Array<[ReportFileKind, string | undefined]>)
    .filter(
      (entry): entry is [ReportFileKind, string] =>
        typeof entry[1] === 'string' && entry[1].trim() !== '',
    )
    .map(([kind, path]) => ({ kind, path: resolve(path) }));
  if (files.length === 0)
    throw new NormscopeError('InvalidRequest', 'name at least one output file (PDF, CSV or JSON)');
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path))
      throw new NormscopeError('InvalidRequest', `${file.path} is named for two outputs`);
    seen.add(file.path);
    const dir = dirname(file.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new NormscopeError('InvalidRequest', `the folder of ${file.path} does not exist`);
    }
  }
  return files;
}

/** Conflict, naming every one, when outputs exist and overwriting was not allowed. */
export function refuseExisting(files: Array<{ path: string }>, overwrite: boolean): void {
  if (overwrite) return;
  const existing = files.filter((file) => existsSync(file.path)).map((file) => file.path);
  if (existing.length > 0) {
    throw new NormscopeError(
      'Conflict',
      `${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}; allow overwriting or choose other names`,
      { existing },
    );
  }
}

export async function exportReport(
  store: Pick<Store, 'transaction' | 'audit'>,
  report: BuiltReport,
  outputs: ReportOutputs,
  options: { overwrite: boolean; actor: string },
): Promise<WrittenFile[]> {
  const files = resolveOutputs(outputs);
  refuseExisting(files, options.overwrite);
  const contents = await Promise.all(
    files.map(async (file) => ({
      ...file,
      bytes:
        file.kind === 'pdf'
          ? await reportPdf(report)
          : Buffer.from(file.kind === 'csv' ? reportCsv(report) : reportJson(report), 'utf8'),
    })),
  );
  const temps = contents.map((file) => ({ ...file, temp: writeTempBeside(file.path, file.bytes) }));
  const written: WrittenFile[] = contents.map((file) => ({
    kind: file.kind,
    path: file.path,
    bytes: file.bytes.length,
    sha256: createHash('sha256').update(file.bytes).digest('hex'),
  }));
  const placed: string[] = [];
  try {
    performAudited(store, {
      actor: options.actor,
      action: 'export',
      objectIds: { reportContentSha256: report.contentSha256 },
      details: {
        kind: 'audit-report',
        period: { from: report.model.scope.from, to: report.model.scope.to },
        reviewerFilter: report.model.scope.reviewerFilter,
        modelFilter: report.model.scope.modelFilter,
        deidentified: report.model.scope.deidentified,
        studies: report.model.rows.length,
        files: written,
      },
      run: () => {
        for (const file of temps) {
          commitTemp(file.temp, file.path, options.overwrite);
          placed.push(file.path);
        }
      },
    });
  } catch (err) {
    // an export the trail does not record must not stay behind (files it replaced are gone, though)
    for (const path of placed) rmSync(path, { force: true });
    for (const file of temps) rmSync(file.temp, { force: true });
    throw err;
  }
  return written;
}
