/**
 * The report's content hash: sha256 (hex) of the UTF-8 bytes of the canonical
 * JSON (object keys sorted at every level, no whitespace: store/canonical-json.ts)
 * of the report model. The model holds every row, figure, scope entry and the
 * audit result, and each key image by the sha256 of its PNG, not its bytes.
 * The JSON export is the model plus `contentSha256`; removing that one key
 * and hashing the canonical JSON of the rest gives the hash back.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../store/canonical-json';
import type { ReportModel } from './model';

export function reportContentSha256(model: ReportModel): string {
  return createHash('sha256').update(canonicalJson(model), 'utf8').digest('hex');
}
