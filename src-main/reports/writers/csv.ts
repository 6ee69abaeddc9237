/**
 * The report's rows as CSV (RFC 4180: comma separated, CRLF line ends,
 * fields quoted when they hold a comma, quote or line break), one row per
 * study, for systems. Every row carries the report's content hash, so a
 * CSV file names the report it came from.
 */
import type { BuiltReport, ReportRow } from '../model';

export const CSV_COLUMNS = [
  'report_content_sha256',
  'patient_name',
  'patient_id',
  'accession_number',
  'study_uid',
  'study_date',
  'model_version_id',
  'model_name',
  'study_score',
  'image_threshold',
  'threshold_id',
  'flagged',
  'verdict',
  'verdict_reviewer',
  'verdict_at',
  'verdict_history',
  'agreement',
] as const;

export function reportCsv(report: BuiltReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of report.model.rows)
    lines.push(csvRow(report.contentSha256, row).map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvRow(hash: string, row: ReportRow): Array<string | number | null> {
  const last = row.verdicts.at(-1);
  return [
    hash,
    row.patientName,
    row.patientId,
    row.accessionNumber,
    row.studyUid,
    row.studyDate,
    row.modelVersionId,
    row.modelName,
    row.score,
    row.imageThreshold,
    row.thresholdId,
    row.flagged === null ? null : row.flagged ? 'yes' : 'no',
    last?.verdict ?? null,
    last?.reviewer ?? null,
    last?.at ?? null,
    row.verdicts.map((v) => `${v.verdict} by ${v.reviewer} at ${v.at}`).join('; '),
    row.agreement,
  ];
}

/**
 * Numbers as JavaScript prints them (shortest round-trip form), empty for
 * null. A text that a spreadsheet would run as a formula (it starts with = + -
 * @, tab or carriage return: a patient name or comment from a DICOM file can)
 * gets a leading apostrophe, as OWASP's CSV-injection advice says.
 */
function field(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
