import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTransaction, openDatabase } from '../../../src-main/store/db';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normscope-db-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('opens a file database in WAL mode with synchronous FULL and foreign keys on', () => {
    const { db, integrity } = openDatabase(join(tempDir(), 'a.sqlite'));
    expect(integrity).toBe('ok');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('refuses a file that is not a database, naming it', () => {
    const file = join(tempDir(), 'garbage.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'Unavailable' });
    expect((caught as Error).message).toContain(file);
  });

  it('refuses a damaged database at start-up (quick_check), naming it', () => {
    const file = join(tempDir(), 'damaged.sqlite');
    const { db } = openDatabase(file);
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    inTransaction(db, () => {
      for (let i = 0; i < 2000; i += 1) insert.run(`row ${i} ${'x'.repeat(50)}`);
    });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // a disk error in the middle of the table: one leaf page turned to garbage
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, Math.floor(pages / 2) * pageSize);
    closeSync(fd);

    expect(() => openDatabase(file)).toThrow(`database ${file} failed its integrity check`);
  });
});

describe('inTransaction', () => {
  it('takes the write lock at BEGIN, before the first write', () => {
    const file = join(tempDir(), 'lock.sqlite');
    const { db } = openDatabase(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    const other = new Database(file, { timeout: 0 });
    try {
      inTransaction(db, () => {
        expect(() => other.prepare('INSERT INTO t VALUES (2)').run()).toThrow(/locked|busy/i);
      });
    } finally {
      other.close();
      db.close();
    }
  });

  it('rolls back everything when the function throws', () => {
    const { db } = openDatabase(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    expect(() =>
      inTransaction(db, () => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    db.close();
  });
});
