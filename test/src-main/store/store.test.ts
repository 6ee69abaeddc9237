import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src-main/store/store';
import { sampleStudy } from './fixtures/sample-study';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normscope-store-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CHILD = join(import.meta.dirname, 'fixtures', 'write-until-killed.ts');

/** Runs the child until it reports being inside its transaction, then SIGKILLs it. Returns the WAL sizes it saw. */
function killInsideTransaction(
  dataDir: string,
  committedUid: string,
  tornUid: string,
  slices: number,
): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, dataDir, committedUid, tornUid, String(slices)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let walSizes: [number, number] | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /inside-transaction (\d+) (\d+)/.exec(stdout);
      if (match && !walSizes) {
        walSizes = [Number(match[1]), Number(match[2])];
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (walSizes && signal === 'SIGKILL') resolve(walSizes);
      else
        reject(
          new Error(
            `child ended without being killed in its transaction (signal ${signal}): ${stderr}`,
          ),
        );
    });
  });
}

describe('openStore', () => {
  it('keeps the database consistent when the process is killed inside a transaction', async () => {
    const dataDir = tempDir();
    const slices = 5000;
    const [walBefore, walInside] = await killInsideTransaction(
      dataDir,
      '1.2.826.0.1.1',
      '1.2.826.0.1.2',
      slices,
    );
    // the open transaction had already spilled pages into the WAL: recovery had real work to do
    expect(walInside).toBeGreaterThan(walBefore);

    const store = openStore({ dataDir });
    try {
      expect(store.integrity).toBe('ok');
      const worklist = store.studies.listWorklist();
      expect(worklist.map((row) => row.studyUid)).toEqual(['1.2.826.0.1.1']);
      expect(worklist[0]?.instanceCount).toBe(50);
      expect(store.studies.getStudy('1.2.826.0.1.2')).toBeUndefined();
      const torn = store.db
        .prepare("SELECT count(*) AS n FROM patients WHERE patient_id = 'P-TORN'")
        .get();
      expect(torn).toEqual({ n: 0 });
      // and the store takes new writes
      expect(store.studies.upsertInstances(sampleStudy('1.2.826.0.1.2', 3))).toEqual([
        'inserted',
        'inserted',
        'inserted',
      ]);
    } finally {
      store.close();
    }
  });

  it('opens a data directory with its database file and content store', async () => {
    const dataDir = tempDir();
    const store = openStore({ dataDir });
    try {
      expect(store.databasePath).toBe(join(dataDir, 'normscope.sqlite'));
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      const ref = await store.files.put(new TextEncoder().encode('hello'));
      expect(store.files.pathOf(ref.sha256).startsWith(join(dataDir, 'files'))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('opens an in-memory store whose temporary files vanish on close', async () => {
    const store = openStore({ memory: true });
    const ref = await store.files.put(new Uint8Array([1, 2, 3]));
    const path = store.files.pathOf(ref.sha256);
    expect(store.files.has(ref.sha256)).toBe(true);
    store.close();
    const { existsSync } = await import('node:fs');
    expect(existsSync(path)).toBe(false);
  });
});
