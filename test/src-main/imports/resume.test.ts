import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../../src-main/core';
import type { Core } from '../../../src-main/core';
import { removeTempDirs, tempDir, writeSeries } from './fixtures/phantom-files';

const CHILD = join(import.meta.dirname, 'fixtures', 'import-until-killed.ts');
const SLICES = 60;

const dirs: string[] = [];
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await removeTempDirs(dirs);
});

function runUntilKilled(dataDir: string, folder: string, killAfter: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, dataDir, folder, String(killAfter)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL'
        ? resolve()
        : reject(new Error(`the child was not killed (exit ${code}): ${stderr}`)),
    );
  });
}

/** Every file under the content store's root, temp files included. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('an import killed mid-run', () => {
  it('resumes in the next process and ends with every instance once, every file whole and no temp file left', async () => {
    const folder = await tempDir(dirs);
    const dataDir = await tempDir(dirs);
    await writeSeries(folder, 'P-KILL', SLICES, 64);
    await runUntilKilled(dataDir, folder, 5);
    // the kill caught files half-copied (a few are copied at once)
    expect(
      filesUnder(join(dataDir, 'files')).filter((name) => name.startsWith('.tmp-')).length,
    ).toBeGreaterThanOrEqual(1);

    const core = await createCore({ dataDir, host: 'cli' });
    cores.push(core);
    const [job] = core.jobs.list();
    expect(job).toMatchObject({ kind: 'import' });
    const stored = () =>
      (core.store.db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
    let state = core.jobs.get(job!.id).state;
    while (state !== 'succeeded' && state !== 'failed' && state !== 'cancelled') {
      await new Promise((tick) => setTimeout(tick, 20));
      state = core.jobs.get(job!.id).state;
    }
    expect(state).toBe('succeeded');
    expect(stored()).toBe(SLICES);

    const files = filesUnder(core.store.files.root);
    expect(files.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    // one stored file per instance, each the whole file (its name is the sha256 of its bytes)
    const shas = core.store.db.prepare('SELECT file_sha256 AS sha FROM instances').all() as Array<{
      sha: string;
    }>;
    expect(new Set(shas.map((row) => row.sha)).size).toBe(SLICES);
    expect(files.sort()).toEqual(shas.map((row) => row.sha).sort());
    for (const { sha } of shas) {
      const bytes = await core.store.files.read(sha);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    }

    const audit = core.store.db
      .prepare<[], { details: string }>(
        "SELECT details FROM audit_log WHERE action = 'import' ORDER BY seq",
      )
      .all()
      .map((row) => JSON.parse(row.details) as Record<string, number | string>);
    expect(audit.map((entry) => entry.phase)).toEqual(['start', 'end']);
    expect(Number(audit[1]!.imported) + Number(audit[1]!.alreadyPresent)).toBe(SLICES);
  }, 60_000);
});
