/** The Reports page's form state and what it sends (pure, so the defaults and the request are easy to follow). */
import type { Params } from '../../src-main/api/contract';

export interface ReportForm {
  from: string;
  to: string;
  /** '' for all */
  reviewer: string;
  /** '' for all */
  modelVersion: string;
  deidentify: boolean;
  pdfPath: string;
  csv: boolean;
  csvPath: string;
  json: boolean;
  jsonPath: string;
  /** a path the user typed is kept when the dates change */
  pathsEdited: boolean;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The current month up to today, outputs in the data directory's exports folder. */
export function initialForm(outputDir: string, now = new Date()): ReportForm {
  const from = `${day(now).slice(0, 8)}01`;
  const to = day(now);
  return {
    from,
    to,
    reviewer: '',
    modelVersion: '',
    deidentify: false,
    csv: true,
    json: true,
    pathsEdited: false,
    ...defaultPaths(outputDir, from, to, false),
  };
}

/** `<dir>/normscope-report-<from>_<to>[-deidentified].pdf|csv|json`, with the folder's own separator. */
export function defaultPaths(
  outputDir: string,
  from: string,
  to: string,
  deidentify: boolean,
): Pick<ReportForm, 'pdfPath' | 'csvPath' | 'jsonPath'> {
  const separator = outputDir.includes('\\') && !outputDir.includes('/') ? '\\' : '/';
  const base = `${outputDir.replace(/[\\/]+$/, '')}${separator}normscope-report-${from}_${to}${deidentify ? '-deidentified' : ''}`;
  return { pdfPath: `${base}.pdf`, csvPath: `${base}.csv`, jsonPath: `${base}.json` };
}

export function reportRequest(form: ReportForm, overwrite: boolean): Params<'reports.generate'> {
  return {
    from: form.from,
    to: form.to,
    ...(form.reviewer ? { reviewer: form.reviewer } : {}),
    ...(form.modelVersion ? { modelVersion: form.modelVersion } : {}),
    deidentify: form.deidentify,
    pdfPath: form.pdfPath,
    ...(form.csv ? { csvPath: form.csvPath } : {}),
    ...(form.json ? { jsonPath: form.jsonPath } : {}),
    overwrite,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
