import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout, defaultDataDir, resolveDataDir } from '../../../src-main/store/data-dir';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normscope-datadir-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('resolveDataDir', () => {
  it('prefers --data-dir over NORMSCOPE_DATA_DIR over the default, and creates the folder', () => {
    const base = tempDir();
    const explicit = join(base, 'explicit');
    const fromEnv = join(base, 'env');
    const fallback = join(base, 'default');
    const env = { NORMSCOPE_DATA_DIR: fromEnv };
    expect(resolveDataDir({ dataDir: explicit, env, defaultDir: fallback })).toBe(explicit);
    expect(resolveDataDir({ env, defaultDir: fallback })).toBe(fromEnv);
    expect(resolveDataDir({ env: {}, defaultDir: fallback })).toBe(fallback);
    expect(
      resolveDataDir({ dataDir: '  ', env: { NORMSCOPE_DATA_DIR: '' }, defaultDir: fallback }),
    ).toBe(fallback);
    expect([explicit, fromEnv, fallback].every((dir) => existsSync(dir))).toBe(true);
  });

  it('makes a relative directory absolute', () => {
    const base = tempDir();
    const previous = process.cwd();
    process.chdir(base);
    try {
      expect(resolveDataDir({ dataDir: 'rel', env: {}, defaultDir: 'unused' })).toBe(
        join(base, 'rel'),
      );
    } finally {
      process.chdir(previous);
    }
  });

  it('lays out the database and the file store inside it, with ~/.normscope as the plain-Node default', () => {
    expect(dataDirLayout('/d')).toEqual({
      root: '/d',
      databasePath: join('/d', 'normscope.sqlite'),
      filesDir: join('/d', 'files'),
    });
    expect(defaultDataDir()).toBe(join(homedir(), '.normscope'));
  });
});
