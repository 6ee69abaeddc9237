/**
 * The head anchor outside the database: removing the newest entries (which
 * leaves a valid shorter chain) is detected, and so are forged entries added
 * after the head; crashes between the commit and the anchor's update are not
 * mistaken for tampering.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { headAnchorPath, readHeadAnchor } from '../../../src-main/audit/head-anchor';
import { auditHash } from '../../../src-main/store/repositories/audit-repository';
import { openStore } from '../../../src-main/store/store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDirWith(count: number): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'normscope-anchor-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  for (let i = 1; i <= count; i += 1) {
    store.audit.append({ actor: 'system', action: 'import', objectIds: { studyUid: `1.${i}` } });
  }
  store.close();
  return dataDir;
}

/** sqlite directly, as an attacker with the file would: triggers dropped first. */
function attack(dataDir: string, sql: string): void {
  const raw = new Database(join(dataDir, 'normscope.sqlite'));
  raw.exec(
    'DROP TRIGGER IF EXISTS audit_log_append_only_update; DROP TRIGGER IF EXISTS audit_log_append_only_delete;',
  );
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

describe('audit head anchor', () => {
  it('is written after each committed append and confirms the chain', () => {
    const dataDir = dataDirWith(3);
    const anchor = readHeadAnchor(headAnchorPath(dataDir));
    expect(anchor?.committed.seq).toBe(3);
    expect(anchor?.pending).toEqual([]);
    expect(verify(dataDir)).toMatchObject({ ok: true, entries: 3, anchor: 'confirmed' });
  });

  it('detects removal of the newest entries and says after which entry', () => {
    const dataDir = dataDirWith(6);
    attack(dataDir, 'DELETE FROM audit_log WHERE seq > 4');
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 5,
      reason: 'entries after #4 were removed: the head anchor records entry #6',
    });
  });

  it('detects a forged entry appended after the head, even with a valid link', () => {
    const dataDir = dataDirWith(2);
    const store = openStore({ dataDir });
    const head = store.audit.list().at(-1)!;
    store.close();
    const forged = {
      seq: 3,
      time: '2026-01-01T00:00:00.000Z',
      actor: 'mallory',
      action: 'verdict.record',
      objectIds: {},
      details: {},
    };
    const hash = auditHash(head.hash, forged);
    attack(
      dataDir,
      `INSERT INTO audit_log (seq, time, actor, action, object_ids, details, prev_hash, hash)
       VALUES (3, '${forged.time}', 'mallory', 'verdict.record', '{}', '{}', '${head.hash}', '${hash}')`,
    );
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 3,
      reason: expect.stringMatching(/not in the head anchor/),
    });
  });

  it('detects a chain rewritten from the start with valid hashes', () => {
    const dataDir = dataDirWith(3);
    attack(dataDir, 'DELETE FROM audit_log');
    // a fresh, internally valid chain of the same length
    const raw = new Database(join(dataDir, 'normscope.sqlite'));
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 3; seq += 1) {
      const entry = {
        seq,
        time: '2026-01-01T00:00:00.000Z',
        actor: 'mallory',
        action: 'import',
        objectIds: {},
        details: {},
      };
      const hash = auditHash(prev, entry);
      raw
        .prepare(
          'INSERT INTO audit_log (seq, time, actor, action, object_ids, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(seq, entry.time, entry.actor, entry.action, '{}', '{}', prev, hash);
      prev = hash;
    }
    raw.close();
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 3,
      reason: expect.stringMatching(/rewritten/),
    });
  });

  it('accepts a head that was committed but not yet settled (crash between commit and anchor update)', () => {
    const dataDir = dataDirWith(2);
    const file = headAnchorPath(dataDir);
    const settled = readFileSync(file, 'utf8');
    const store = openStore({ dataDir });
    store.audit.append({ actor: 'system', action: 'settings.change', objectIds: {} });
    const head = store.audit.head()!;
    store.close();
    // the state a crash right after the commit leaves: entry 3 still pending
    const anchor = JSON.parse(settled) as { pending: unknown[] };
    anchor.pending = [head];
    writeFileSync(file, JSON.stringify(anchor));
    expect(verify(dataDir)).toMatchObject({ ok: true, entries: 3, anchor: 'pending' });
    // removing that pending entry cannot be told from a rollback: the documented limit
    attack(dataDir, 'DELETE FROM audit_log WHERE seq = 3');
    expect(verify(dataDir)).toMatchObject({ ok: true, entries: 2, anchor: 'confirmed' });
  });

  it('settles after a rolled-back transaction back to the committed head', () => {
    const dataDir = dataDirWith(2);
    const store = openStore({ dataDir });
    expect(() =>
      store.transaction(() => {
        store.audit.append({ actor: 'system', action: 'settings.change', objectIds: {} });
        throw new Error('the action failed after its entry was appended');
      }),
    ).toThrow(/action failed/);
    expect(readHeadAnchor(headAnchorPath(dataDir))).toMatchObject({
      committed: { seq: 2 },
      pending: [],
    });
    expect(store.audit.verify()).toMatchObject({ ok: true, entries: 2, anchor: 'confirmed' });
    store.close();
  });

  it('reports a missing anchor file for a non-empty log, and says so once it is re-created', () => {
    const dataDir = dataDirWith(3);
    rmSync(headAnchorPath(dataDir));
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 4,
      reason: expect.stringMatching(/anchor .* is missing/),
    });
    const store = openStore({ dataDir });
    store.audit.append({ actor: 'system', action: 'settings.change', objectIds: {} });
    expect(store.audit.verify()).toMatchObject({ ok: true, anchor: 'adopted', adoptedAtSeq: 3 });
    store.close();
  });
});

describe('an unreadable head anchor', () => {
  it('is reported as a broken chain, and refuses appends until it is repaired (fail closed)', () => {
    const dataDir = dataDirWith(2);
    writeFileSync(headAnchorPath(dataDir), '{"format": "normscope-audit-head/1", "committ');
    expect(verify(dataDir)).toMatchObject({
      ok: false,
      brokenSeq: 3,
      reason: expect.stringMatching(/unreadable.*cannot be checked/),
    });
    const store = openStore({ dataDir });
    expect(() =>
      store.transaction(() =>
        store.audit.append({ actor: 'system', action: 'settings.change', objectIds: {} }),
      ),
    ).toThrow(/audit head anchor .* is unreadable/);
    expect(store.audit.count()).toBe(2);
    store.close();
  });
});
