import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Environment variable that overrides the default data directory. */
export const DATA_DIR_ENV = 'NORMSCOPE_DATA_DIR';

export interface DataDirOptions {
  /** an explicit `--data-dir`; wins over everything else */
  dataDir?: string;
  /** the environment to read `NORMSCOPE_DATA_DIR` from (process.env by default) */
  env?: NodeJS.ProcessEnv;
  /** Electron's userData in the shell, `defaultDataDir()` under plain Node */
  defaultDir: string;
}

/** Where the files of one data directory live. */
export interface DataDirLayout {
  root: string;
  databasePath: string;
  /** content-addressed files: `files/<first 2 hex>/<sha256>` */
  filesDir: string;
}

/** The data directory for plain Node hosts (CLI, web host): `~/.normscope`. */
export function defaultDataDir(): string {
  return join(homedir(), '.normscope');
}

/**
 * Picks the data directory (explicit option, then NORMSCOPE_DATA_DIR, then the
 * host's default), makes it absolute and creates it. Empty strings count as
 * unset, so `NORMSCOPE_DATA_DIR=` does not point at the working directory.
 */
export function resolveDataDir(opts: DataDirOptions): string {
  const env = opts.env ?? process.env;
  const chosen = nonEmpty(opts.dataDir) ?? nonEmpty(env[DATA_DIR_ENV]) ?? opts.defaultDir;
  const dir = resolve(chosen);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function dataDirLayout(root: string): DataDirLayout {
  return { root, databasePath: join(root, 'normscope.sqlite'), filesDir: join(root, 'files') };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
