/** Counts of one import job, and how they read to a person. */

export interface ImportCounts {
  /** instances newly stored by this job */
  imported: number;
  /** files whose instance was already stored (a re-import is a no-op) */
  alreadyPresent: number;
  failed: number;
  filesDone: number;
  filesTotal: number;
  /** files per second over the run */
  filesPerSecond: number;
}

/** "Imported 12 instances, 3 already present, 1 failed". */
export function describeCounts(
  c: Pick<ImportCounts, 'imported' | 'alreadyPresent' | 'failed'>,
): string {
  const parts = [`Imported ${c.imported} instance${c.imported === 1 ? '' : 's'}`];
  if (c.alreadyPresent) parts.push(`${c.alreadyPresent} already present`);
  if (c.failed) parts.push(`${c.failed} failed`);
  return parts.join(', ');
}
