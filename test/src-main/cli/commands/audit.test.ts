/**
 * `normscope audit verify` on a data directory tampered with by sqlite
 * directly (triggers dropped, as an attacker would): each kind of tampering is
 * detected, the first broken entry named, and the exit code is 1.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../../src-main/cli/program';
import { openStore } from '../../../../src-main/store/store';

const dirs: string[] = [];
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDirWith(count: number): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'normscope-audit-cli-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  for (let i = 1; i <= count; i += 1) {
    store.audit.append({
      actor: 'dr-a',
      action: 'verdict.record',
      objectIds: { studyUid: `1.${i}` },
      details: { verdict: 'normal' },
    });
  }
  store.close();
  return dataDir;
}

function attack(dataDir: string, sql: string): void {
  const raw = new Database(join(dataDir, 'normscope.sqlite'));
  raw.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;');
  raw.exec(sql);
  raw.close();
}

async function verify(
  dataDir: string,
  json = false,
): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const errors: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  const code = await runCli([
    'audit',
    'verify',
    '--data-dir',
    dataDir,
    ...(json ? ['--json'] : []),
  ]);
  process.exitCode = undefined;
  vi.restoreAllMocks();
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}

describe('normscope audit verify', () => {
  it('says the chain is verified and exits 0 on an untouched data directory', async () => {
    const dataDir = dataDirWith(4);
    expect(await verify(dataDir)).toEqual({
      code: 0,
      out: 'Audit chain verified (4 entries)',
      err: '',
    });
    const { out } = await verify(dataDir, true);
    expect(JSON.parse(out)).toMatchObject({
      ok: true,
      entries: 4,
      headSeq: 4,
      anchor: 'confirmed',
      brokenSeq: null,
    });
  });

  it('refuses a folder without a database instead of calling an empty chain verified', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'normscope-audit-cli-empty-'));
    dirs.push(empty);
    expect(await verify(empty)).toEqual({
      code: 1,
      out: '',
      err: expect.stringMatching(/holds no Normscope database/),
    });
  });

  it.each([
    [
      'an edited entry',
      `UPDATE audit_log SET details = '{"verdict":"abnormal"}' WHERE seq = 3`,
      3,
      /altered/,
    ],
    ['a deleted entry', 'DELETE FROM audit_log WHERE seq = 2', 3, /missing/],
    [
      'two entries swapped (seq exchanged)',
      'UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1;',
      2,
      /does not link/,
    ],
    [
      'the newest entries removed',
      'DELETE FROM audit_log WHERE seq >= 4',
      4,
      /entries after #3 were removed/,
    ],
  ])('detects %s, names the entry and exits 1', async (_what, sql, brokenSeq, reason) => {
    const dataDir = dataDirWith(5);
    attack(dataDir, sql);
    const { code, out } = await verify(dataDir);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^Audit chain BROKEN at #${brokenSeq}: `));
    expect(out).toMatch(reason);
  });
});
