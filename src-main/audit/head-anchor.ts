/**
 * The audit chain's head, anchored outside the database (issue 7): hash
 * chaining inside the table detects edits, gaps and reordering, but not the
 * removal of the newest entries, because what is left is still a valid chain.
 * `<dataDir>/audit-head.json` records the last committed entry, so a table
 * that ends before it has lost entries.
 *
 * Crash safety: the file cannot change in the same transaction as the table.
 * Each append first records its entry as *pending* (inside the transaction, so
 * a failed anchor write refuses the action); after the outermost transaction
 * ends, the anchor is *settled*: the table's head, found among the committed
 * entry and the pending ones, becomes the committed entry. A crash between the
 * commit and the settle leaves the head among the pending entries, which
 * verification accepts; a rolled-back append leaves the head at the committed
 * entry, which it accepts too. What the anchor cannot catch: the removal of
 * entries that are still pending (committed a moment before a crash), and an
 * attacker who rewrites this file along with the table: it raises the bar
 * (two places to change, and this one outside SQLite), it is not a signature.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NormscopeError } from '../api/errors';
import { writeFileAtomic } from './atomic-file';

export const HEAD_ANCHOR_FILE = 'audit-head.json';
const FORMAT = 'normscope-audit-head/1';

export interface ChainPoint {
  /** 0 with the genesis hash for an empty chain */
  seq: number;
  hash: string;
}

export interface HeadAnchor {
  /** the newest entry known to be committed */
  committed: ChainPoint;
  /** entries appended since, oldest first, whose commit is not yet confirmed */
  pending: ChainPoint[];
  /** set when the anchor was re-created for a table that already had entries (its file had gone) */
  adoptedAtSeq?: number;
  updatedAt: string;
}

export function headAnchorPath(dataDir: string): string {
  return join(dataDir, HEAD_ANCHOR_FILE);
}

/** The anchor in `file`, or null when there is none. Unavailable when it exists but cannot be read. */
export function readHeadAnchor(file: string): HeadAnchor | null {
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NormscopeError(
      'Unavailable',
      `audit head anchor ${file} is unreadable: ${(err as Error).message}`,
    );
  }
  if (!isAnchorFile(parsed)) {
    throw new NormscopeError('Unavailable', `audit head anchor ${file} is not a ${FORMAT} file`);
  }
  const { committed, pending, adoptedAtSeq, updatedAt } = parsed;
  return adoptedAtSeq === undefined
    ? { committed, pending, updatedAt }
    : { committed, pending, adoptedAtSeq, updatedAt };
}

/** Replaces the anchor atomically (temporary file, fsync, rename). */
export function writeHeadAnchor(file: string, anchor: HeadAnchor): void {
  writeFileAtomic(file, `${JSON.stringify({ format: FORMAT, ...anchor }, null, 2)}\n`, {
    overwrite: true,
  });
}

function isPoint(value: unknown): value is ChainPoint {
  const point = value as ChainPoint;
  return (
    typeof point === 'object' &&
    point !== null &&
    Number.isInteger(point.seq) &&
    point.seq >= 0 &&
    typeof point.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(point.hash)
  );
}

function isAnchorFile(value: unknown): value is HeadAnchor & { format: string } {
  const file = value as HeadAnchor & { format: string };
  return (
    typeof file === 'object' &&
    file !== null &&
    file.format === FORMAT &&
    isPoint(file.committed) &&
    Array.isArray(file.pending) &&
    file.pending.every(isPoint) &&
    typeof file.updatedAt === 'string' &&
    (file.adoptedAtSeq === undefined || Number.isInteger(file.adoptedAtSeq))
  );
}
