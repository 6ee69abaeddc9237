/** The report model as JSON for systems: the model plus `contentSha256` (content-hash.ts says how to check it). */
import type { BuiltReport } from '../model';

export function reportJson(report: BuiltReport): string {
  return `${JSON.stringify({ ...report.model, contentSha256: report.contentSha256 }, null, 2)}\n`;
}
