/**
 * Files that appear whole or not at all: written to a temporary file in the
 * same directory, flushed to disk, then renamed into place (a rename within a
 * directory is atomic on POSIX file systems and on NTFS). A crash leaves at
 * most a stray `.tmp` file, never a half-written export or head anchor.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { NormscopeError } from '../api/errors';

/** Writes `bytes` to a fresh temporary file next to `path`, fsynced; returns the temporary path. */
export function writeTempBeside(path: string, bytes: Uint8Array | string): string {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  return temp;
}

/**
 * Moves a temporary file written by `writeTempBeside` to `path`. Without
 * `overwrite` an existing `path` is never replaced: the hard link fails with
 * EEXIST atomically (Conflict); on file systems without hard links the check
 * falls back to an existence test just before the rename.
 */
export function commitTemp(temp: string, path: string, overwrite: boolean): void {
  try {
    if (overwrite) {
      renameSync(temp, path);
    } else {
      try {
        linkSync(temp, path);
        rmSync(temp, { force: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw exists(path);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
        if (existsSync(path)) throw exists(path);
        renameSync(temp, path);
      }
    }
    syncDirectory(dirname(path));
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** `writeTempBeside` then `commitTemp`. */
export function writeFileAtomic(
  path: string,
  bytes: Uint8Array | string,
  options: { overwrite: boolean },
): void {
  commitTemp(writeTempBeside(path, bytes), path, options.overwrite);
}

function exists(path: string): NormscopeError {
  return new NormscopeError(
    'Conflict',
    `${path} already exists; choose another name or allow overwriting`,
    {
      existing: [path],
    },
  );
}

/** Makes the rename itself durable; directories cannot be opened for fsync on Windows, where NTFS journals it. */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
