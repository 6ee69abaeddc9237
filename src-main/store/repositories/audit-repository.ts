import { createHash } from 'node:crypto';
import type { AuditAction } from '../../audit/actions';
import type { ChainPoint, HeadAnchor } from '../../audit/head-anchor';
import { readHeadAnchor, writeHeadAnchor } from '../../audit/head-anchor';
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
  /** what happened: the vocabulary is src-main/audit/actions.ts */
  action: AuditAction;
  /** the objects concerned, e.g. { studyUid, verdictId } */
  objectIds: Record<string, unknown>;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  /** a name of AUDIT_ACTIONS when this version wrote it; kept as stored when read */
  action: string;
  objectIds: Record<string, unknown>;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/**
 * How the head anchor vouches for the end of the chain: 'confirmed' (the last
 * entry is the anchored one), 'pending' (the last entry was appended but the
 * anchor not yet settled: a crash right after a commit), 'adopted' (confirmed,
 * but the anchor was re-created at `adoptedAtSeq` after its file had gone, so
 * removals before that cannot be ruled out), 'absent' (no anchor: an in-memory
 * store, or an empty log).
 */
export type AnchorState = 'confirmed' | 'pending' | 'adopted' | 'absent';

export type AuditVerification =
  | {
      ok: true;
      entries: number;
      head: { seq: number; hash: string } | null;
      anchor: AnchorState;
      adoptedAtSeq?: number;
    }
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
 * detectable from the table alone, so a store with a data directory anchors
 * the head in a file outside the database (src-main/audit/head-anchor.ts).
 * Fail closed: the entry, its pending anchor and the action it records share
 * one transaction, so when either write fails the action does not happen.
 */
export class AuditRepository {
  private readonly insert;
  private readonly selectHead;
  private readonly selectAll;
  private readonly selectRange;
  private readonly selectPage;
  private readonly selectCount;
  /** this process appended entries since its last settle: only then is the anchor worth a look */
  private unsettled = false;

  /**
   * @param anchorFile `<dataDir>/audit-head.json`; null keeps no anchor (in-memory stores)
   */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
    private readonly anchorFile: string | null = null,
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
    this.selectPage = db.prepare<[number, number], AuditRow>(
      'SELECT * FROM audit_log WHERE seq <= ? ORDER BY seq DESC LIMIT ?',
    );
    this.selectCount = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log');
  }

  /**
   * Appends an entry chained to the current head, atomically (inside the
   * caller's transaction when there is one: call it inside the same
   * `store.transaction` as the action it records). Throws when the entry or its
   * pending anchor cannot be written, which rolls the caller's action back.
   */
  append(input: AuditInput): AuditEntry {
    try {
      return inTransaction(this.db, () => this.appendInTransaction(input));
    } finally {
      if (!this.db.inTransaction) this.settleAnchor();
    }
  }

  private appendInTransaction(input: AuditInput): AuditEntry {
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
    this.recordPending(head, { seq: entry.seq, hash });
    return { ...entry, prevHash, hash };
  }

  /** Adds the new entry to the anchor's pending list (inside the append's transaction). */
  private recordPending(previousHead: ChainPoint | undefined, entry: ChainPoint): void {
    if (this.anchorFile === null) return;
    const anchor = readHeadAnchor(this.anchorFile);
    const base: HeadAnchor = anchor ?? {
      // no anchor yet: a new log, or one whose anchor file went missing (adopted, and said so)
      committed: previousHead ?? { seq: 0, hash: GENESIS_HASH },
      pending: [],
      ...(previousHead ? { adoptedAtSeq: previousHead.seq } : {}),
      updatedAt: this.now(),
    };
    writeHeadAnchor(this.anchorFile, {
      ...base,
      pending: [...base.pending, entry],
      updatedAt: this.now(),
    });
    this.unsettled = true;
  }

  /**
   * After the outermost transaction ended (committed or rolled back): the
   * table's head, found among the anchor's committed and pending entries,
   * becomes the committed one. Runs under the write lock, so another process's
   * append cannot interleave. A head found nowhere (tampering) is left for
   * `verify` to report; the anchor is never moved to it.
   */
  settleAnchor(): void {
    if (this.anchorFile === null || this.db.inTransaction || !this.unsettled) return;
    const file = this.anchorFile;
    try {
      inTransaction(this.db, () => {
        this.unsettled = false;
        const anchor = readHeadAnchor(file);
        if (anchor === null || anchor.pending.length === 0) return;
        const head = this.selectHead.get() ?? { seq: 0, hash: GENESIS_HASH };
        const match = [anchor.committed, ...anchor.pending].find(
          (point) => point.seq === head.seq && point.hash === head.hash,
        );
        if (match)
          writeHeadAnchor(file, {
            ...anchor,
            committed: match,
            pending: [],
            updatedAt: this.now(),
          });
      });
    } catch {
      // The action is committed and must not be reported as failed. The pending list still
      // vouches for the head (verify accepts it), and the next settle tries again.
      this.unsettled = true;
    }
  }

  /** Number of entries. */
  count(): number {
    return this.selectCount.get()?.n ?? 0;
  }

  /** Up to `limit` entries at or before `beforeSeq` (default: the newest), newest first: a page of the trail. */
  page(limit: number, beforeSeq = Number.MAX_SAFE_INTEGER): AuditEntry[] {
    return this.selectPage.all(beforeSeq, limit).map(toEntry);
  }

  head(): { seq: number; hash: string } | null {
    return this.selectHead.get() ?? null;
  }

  /** Entries from `fromSeq` on, in order. */
  list(fromSeq = 1, limit = 1000): AuditEntry[] {
    return this.selectRange.all(fromSeq, limit).map(toEntry);
  }

  /**
   * Walks the whole chain and names the first entry whose sequence, link or
   * hash is wrong, then compares the chain's end with the head anchor. Holds
   * the write lock meanwhile, so no append or settle moves the anchor between
   * the two reads.
   */
  verify(): AuditVerification {
    return inTransaction(this.db, () => {
      let anchor: HeadAnchor | null = null;
      let anchorProblem: string | null = null;
      try {
        anchor = this.anchorFile === null ? null : readHeadAnchor(this.anchorFile);
      } catch (err) {
        anchorProblem = (err as Error).message;
      }
      const watched = new Set(
        anchor ? [anchor.committed.seq, ...anchor.pending.map((p) => p.seq)] : [],
      );
      const hashesAt = new Map<number, string>();
      let prevHash = GENESIS_HASH;
      let expectedSeq = 1;
      let entries = 0;
      for (const row of this.selectAll.iterate()) {
        const failure = checkRow(row, expectedSeq, prevHash);
        if (failure !== null) return { ok: false, entries, brokenSeq: row.seq, reason: failure };
        if (watched.has(row.seq)) hashesAt.set(row.seq, row.hash);
        prevHash = row.hash;
        expectedSeq = row.seq + 1;
        entries += 1;
      }
      const head = entries === 0 ? null : { seq: expectedSeq - 1, hash: prevHash };
      if (this.anchorFile === null) return { ok: true, entries, head, anchor: 'absent' };
      if (anchorProblem !== null) {
        return {
          ok: false,
          entries,
          brokenSeq: expectedSeq,
          reason: `${anchorProblem}, so the end of the chain cannot be checked`,
        };
      }
      return compareWithAnchor(this.anchorFile, anchor, head, entries, hashesAt);
    });
  }
}

/** The chain is intact as far as it goes; does it go as far as the anchor says, and no further? */
function compareWithAnchor(
  file: string,
  anchor: HeadAnchor | null,
  head: ChainPoint | null,
  entries: number,
  hashesAt: Map<number, string>,
): AuditVerification {
  const last = head ?? { seq: 0, hash: GENESIS_HASH };
  if (anchor === null) {
    if (head === null) return { ok: true, entries, head, anchor: 'absent' };
    return {
      ok: false,
      entries,
      brokenSeq: last.seq + 1,
      reason: `the head anchor ${file} is missing, so removal of the newest entries after #${last.seq} cannot be ruled out`,
    };
  }
  const same = (point: ChainPoint) => point.seq === last.seq && point.hash === last.hash;
  if (same(anchor.committed)) {
    return anchor.adoptedAtSeq === undefined
      ? { ok: true, entries, head, anchor: 'confirmed' }
      : { ok: true, entries, head, anchor: 'adopted', adoptedAtSeq: anchor.adoptedAtSeq };
  }
  if (anchor.pending.some(same)) return { ok: true, entries, head, anchor: 'pending' };
  const { committed } = anchor;
  if (last.seq < committed.seq) {
    return {
      ok: false,
      entries,
      brokenSeq: last.seq + 1,
      reason: `entries after #${last.seq} were removed: the head anchor records entry #${committed.seq}`,
    };
  }
  if (committed.seq > 0 && hashesAt.get(committed.seq) !== committed.hash) {
    return {
      ok: false,
      entries,
      brokenSeq: committed.seq,
      reason: `entry #${committed.seq} differs from the anchored head: the chain was rewritten up to it`,
    };
  }
  const vouched = [committed, ...anchor.pending].filter(
    (point) => point.seq <= last.seq && (point.seq === 0 || hashesAt.get(point.seq) === point.hash),
  );
  const lastVouched = Math.max(...vouched.map((point) => point.seq));
  return {
    ok: false,
    entries,
    brokenSeq: lastVouched + 1,
    reason: `entries from #${lastVouched + 1} on are not in the head anchor: they were not written by Normscope`,
  };
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
