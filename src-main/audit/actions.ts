/**
 * What the audit trail records: one name per kind of significant action
 * (issue 7). A new kind of action is added here, so every entry the program
 * writes is one the report and the reader of the trail know.
 */
export const AUDIT_ACTIONS = [
  'import', // DICOM studies imported (objectIds: job, studies)
  'scoring.run', // a scoring run started or finished
  'threshold.change', // a new threshold version saved
  'verdict.record', // a reviewer's verdict
  'verdict.supersede', // a verdict that replaces an earlier one
  'training.start',
  'training.end',
  'model.save', // a model version recorded (trained or imported)
  'model.activate',
  'model.rollback',
  'backbone.import',
  'export', // a report, key image or DICOM object written out of the data directory
  'settings.change',
  'pacs.retrieve',
  'pacs.push',
  'refused', // an action that was refused or failed; details.attempted names it
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}
