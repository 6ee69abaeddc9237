/** The audit chain's state as the CLI, the status bar and reports show it. */
import type { AuditChainStatus, AuditEntryView } from '../api/contract/audit';
import type { AuditVerification } from '../store/repositories/audit-repository';
import type { Store } from '../store/store';

export function chainStatus(verification: AuditVerification, checkedAt: string): AuditChainStatus {
  if (!verification.ok) {
    return {
      ok: false,
      entries: verification.entries,
      headSeq: null,
      brokenSeq: verification.brokenSeq,
      reason: verification.reason,
      anchor: null,
      adoptedAtSeq: null,
      checkedAt,
      summary: `Audit chain BROKEN at #${verification.brokenSeq}: ${verification.reason}`,
    };
  }
  const adopted =
    verification.anchor === 'adopted'
      ? `; its head anchor was re-created at #${verification.adoptedAtSeq}, so removals before then cannot be ruled out`
      : '';
  return {
    ok: true,
    entries: verification.entries,
    headSeq: verification.head?.seq ?? null,
    brokenSeq: null,
    reason: null,
    anchor: verification.anchor,
    adoptedAtSeq: verification.adoptedAtSeq ?? null,
    checkedAt,
    summary: `Audit chain verified (${verification.entries} ${verification.entries === 1 ? 'entry' : 'entries'})${adopted}`,
  };
}

/** Walks the whole chain now (see AuditRepository.verify). */
export function verifyAuditChain(
  store: Pick<Store, 'audit'>,
  now: () => Date = () => new Date(),
): AuditChainStatus {
  return chainStatus(store.audit.verify(), now().toISOString());
}

/** A page of the trail, newest first. */
export function listAuditEntries(
  store: Pick<Store, 'audit'>,
  limit: number,
  beforeSeq?: number,
): { total: number; entries: AuditEntryView[]; nextBeforeSeq: number | null } {
  const entries = store.audit
    .page(limit, beforeSeq)
    .map(({ seq, time, actor, action, objectIds, details, hash }) => ({
      seq,
      time,
      actor,
      action,
      objectIds,
      details,
      hash,
    }));
  const oldest = entries.at(-1);
  return {
    total: store.audit.count(),
    entries,
    nextBeforeSeq: oldest && oldest.seq > 1 ? oldest.seq - 1 : null,
  };
}
