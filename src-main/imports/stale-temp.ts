/**
 * A process killed while it copied a file into the content store leaves the
 * half-written temp file behind (the store renames a file into place only once
 * it is whole, so the store itself stays consistent). A resumed import removes
 * those leftovers: temp files named after a process that no longer runs.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** `.tmp-<pid>-<16 hex>`: the content store's temp file names (content-store.ts tempName) */
const TEMP_NAME = /^\.tmp-(\d+)-[0-9a-f]{16}$/;

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files of dead processes from `<root>/.incoming` and the
 * two-hex-digit shard folders of the content store at `root`. Returns how many.
 */
export async function sweepStaleTempFiles(root: string): Promise<number> {
  let removed = 0;
  const folders = [join(root, '.incoming')];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (/^[0-9a-f]{2}$/.test(name)) folders.push(join(root, name));
  }
  for (const folder of folders) {
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      const match = TEMP_NAME.exec(name);
      if (!match || isRunning(Number(match[1]))) continue;
      await rm(join(folder, name), { force: true });
      removed++;
    }
  }
  return removed;
}
