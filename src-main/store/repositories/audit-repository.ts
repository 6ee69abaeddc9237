import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { systemClock } from '../json-columns';

/** prev_hash of the first entry */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  /** reviewer id, or 'system' */
  actor: string;
  /** e.g. 'verdict.record', 'threshold.save', 'model.activate' */
  action: string;
  /** the objects concerned, e.g. { studyUid, verdictId } */
  objectIds: Record<string, unknown>;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  objectIds: Record<string, unknown>;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type AuditVerification =
  | { ok: true; entries: number; head: { seq: number; hash: string } | null }
  | { ok: false; entries: number; brokenSeq: number; reason: string };

interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  object_ids: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * hash = sha256(prevHash + canonical JSON of { seq, time, actor, action,
 * objectIds, details }), hex. The seq is inside the hash, so removing or
 * reordering entries in the middle breaks the chain.
 */
export function auditHash(prevHash: string, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const body = canonicalJson({
    seq: entry.seq,
    time: entry.time,
    actor: entry.actor,
    action: entry.action,
    objectIds: entry.objectIds,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/**
 * The append-only, hash-chained audit log. Removing the newest entries is not
 * detectable from the table alone; issue 7 anchors the head elsewhere.
 */
export class AuditRepository {
  private readonly insert;
  private readonly selectHead;
  private readonly selectAll;
  private readonly selectRange;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, time, actor, action, object_ids, details, prev_hash, hash)
       VALUES (@seq, @time, @actor, @action, @object_ids, @details, @prev_hash, @hash)`,
    );
    this.selectHead = db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    this.selectAll = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY seq');
    this.selectRange = db.prepare<[number, number], AuditRow>(
      'SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?',
    );
  }

  /** Appends an entry chained to the current head, atomically (inside the caller's transaction when there is one). */
  append(input: AuditInput): AuditEntry {
    return inTransaction(this.db, () => {
      const head = this.selectHead.get();
      const prevHash = head?.hash ?? GENESIS_HASH;
      const entry = {
        seq: (head?.seq ?? 0) + 1,
        time: this.now(),
        actor: input.actor,
        action: input.action,
        objectIds: input.objectIds,
        details: input.details ?? {},
      };
      const hash = auditHash(prevHash, entry);
      this.insert.run({
        seq: entry.seq,
        time: entry.time,
        actor: entry.actor,
        action: entry.action,
        object_ids: canonicalJson(entry.objectIds),
        details: canonicalJson(entry.details),
        prev_hash: prevHash,
        hash,
      });
      return { ...entry, prevHash, hash };
    });
  }

  head(): { seq: number; hash: string } | null {
    return this.selectHead.get() ?? null;
  }

  /** Entries from `fromSeq` on, in order. */
  list(fromSeq = 1, limit = 1000): AuditEntry[] {
    return this.selectRange.all(fromSeq, limit).map(toEntry);
  }

  /** Walks the whole chain and names the first entry whose sequence, link or hash is wrong. */
  verify(): AuditVerification {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let entries = 0;
    for (const row of this.selectAll.iterate()) {
      const failure = checkRow(row, expectedSeq, prevHash);
      if (failure !== null) return { ok: false, entries, brokenSeq: row.seq, reason: failure };
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      entries += 1;
    }
    return {
      ok: true,
      entries,
      head: entries === 0 ? null : { seq: expectedSeq - 1, hash: prevHash },
    };
  }
}

function checkRow(row: AuditRow, expectedSeq: number, prevHash: string): string | null {
  if (row.seq !== expectedSeq)
    return `expected entry ${expectedSeq} but found ${row.seq}: entries are missing`;
  if (row.prev_hash !== prevHash)
    return `entry ${row.seq} does not link to the hash of the entry before it`;
  let entry: AuditEntry;
  try {
    entry = toEntry(row);
  } catch {
    return `entry ${row.seq} holds unreadable JSON`;
  }
  if (auditHash(prevHash, entry) !== row.hash)
    return `entry ${row.seq} was altered: its content does not match its hash`;
  return null;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    time: row.time,
    actor: row.actor,
    action: row.action,
    objectIds: JSON.parse(row.object_ids) as Record<string, unknown>,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
