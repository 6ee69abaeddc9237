import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENESIS_HASH, auditHash } from '../../../../src-main/store/repositories/audit-repository';
import { openStore } from '../../../../src-main/store/store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storeWithEntries(count: number): { dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'normscope-audit-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  for (let i = 1; i <= count; i += 1) {
    store.audit.append({
      actor: 'system',
      action: 'import',
      objectIds: { studyUid: `1.${i}` },
      details: { files: i },
    });
  }
  store.close();
  return { dataDir };
}

/** What an attacker with the file does: drop the triggers, then edit. */
function tamper(dataDir: string, sql: string): void {
  const raw = new Database(join(dataDir, 'normscope.sqlite'));
  raw.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;');
  raw.exec(sql);
  raw.close();
}

function verify(dataDir: string) {
  const store = openStore({ dataDir });
  try {
    return store.audit.verify();
  } finally {
    store.close();
  }
}

describe('AuditRepository', () => {
  it('chains entries: each holds the hash of the one before', () => {
    const store = openStore({ memory: true });
    const first = store.audit.append({
      actor: 'r1',
      action: 'verdict.record',
      objectIds: { studyUid: '1.2', verdictId: 1 },
    });
    const second = store.audit.append({
      actor: 'system',
      action: 'threshold.change',
      objectIds: { thresholdId: 3 },
      details: { b: 1, a: [2] },
    });
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(auditHash(first.hash, { ...second }));
    expect(store.audit.verify()).toEqual({
      ok: true,
      entries: 2,
      head: { seq: 2, hash: second.hash },
      anchor: 'absent',
    });
    expect(store.audit.list().map((e) => e.action)).toEqual(['verdict.record', 'threshold.change']);
    store.close();
  });

  it('refuses UPDATE and DELETE on the audit log at the database level', () => {
    const store = openStore({ memory: true });
    store.audit.append({ actor: 'system', action: 'settings.change', objectIds: {} });
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(
      /audit_log is append-only/,
    );
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(
      /audit_log is append-only/,
    );
    store.close();
  });

  it('detects an edited entry and names its seq', () => {
    const { dataDir } = storeWithEntries(5);
    tamper(dataDir, `UPDATE audit_log SET details = '{"files":99}' WHERE seq = 3`);
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 3,
      reason: expect.stringMatching(/altered/),
    });
  });

  it('detects a deleted entry in the middle and names where the gap is', () => {
    const { dataDir } = storeWithEntries(5);
    tamper(dataDir, 'DELETE FROM audit_log WHERE seq = 2');
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 3,
      reason: expect.stringMatching(/missing/),
    });
  });

  it('detects a rewritten entry whose hash was recomputed, at the next link', () => {
    const { dataDir } = storeWithEntries(4);
    const store = openStore({ dataDir });
    const [, second] = store.audit.list();
    store.close();
    const forged = { ...second!, actor: 'mallory' };
    const forgedHash = auditHash(second!.prevHash, forged);
    tamper(dataDir, `UPDATE audit_log SET actor = 'mallory', hash = '${forgedHash}' WHERE seq = 2`);
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 3,
      reason: expect.stringMatching(/does not link/),
    });
  });
});
