import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { NormscopeError } from '../api/errors';

/** A stored file's address (lowercase hex sha256 of its bytes) and size in bytes. */
export interface ContentRef {
  sha256: string;
  size: number;
}

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_PATTERN.test(value);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Files addressed by the sha256 of their bytes, laid out as
 * `<root>/<first 2 hex>/<sha256>`. Only a checked sha ever becomes a path
 * component, so names from DICOM files or peers can never escape the root.
 * Writes are atomic (temp file on the same file system, fsync, rename, fsync of
 * the folder) so a crash leaves either the whole file or none; storing the same
 * bytes twice is a no-op.
 */
export class ContentStore {
  /** streamed writes land here first: their folder is known only once hashed */
  private readonly incomingDir: string;

  constructor(readonly root: string) {
    this.incomingDir = join(root, '.incoming');
    mkdirSync(this.incomingDir, { recursive: true });
  }

  /** Path of the file for `sha`, whether or not it exists. Throws InvalidRequest for a malformed sha. */
  pathOf(sha: string): string {
    return join(this.shardDir(sha), sha);
  }

  has(sha: string): boolean {
    return existsSync(this.pathOf(sha));
  }

  async put(bytes: Uint8Array): Promise<ContentRef> {
    const sha256 = sha256Hex(bytes);
    const ref = { sha256, size: bytes.byteLength };
    if (this.has(sha256)) return ref;
    const dir = this.shardDir(sha256);
    mkdirSync(dir, { recursive: true });
    const temp = join(dir, tempName());
    await writeDurably(temp, async (handle) => {
      await handle.writeFile(bytes);
    });
    await this.commit(temp, sha256);
    return ref;
  }

  /** Copies a file into the store, hashing it while it streams (never read whole into memory). */
  async putFile(sourcePath: string): Promise<ContentRef> {
    const temp = join(this.incomingDir, tempName());
    const hash = createHash('sha256');
    let size = 0;
    try {
      await writeDurably(temp, async (handle) => {
        for await (const chunk of createReadStream(sourcePath)) {
          const bytes = chunk as Buffer;
          hash.update(bytes);
          size += bytes.byteLength;
          await handle.write(bytes);
        }
      });
    } catch (err) {
      const name = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NotFound' : 'Unavailable';
      throw new NormscopeError(name, `could not store ${sourcePath}: ${(err as Error).message}`);
    }
    const sha256 = hash.digest('hex');
    if (this.has(sha256)) {
      await unlink(temp);
    } else {
      mkdirSync(this.shardDir(sha256), { recursive: true });
      await this.commit(temp, sha256);
    }
    return { sha256, size };
  }

  async read(sha: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sha));
    } catch (err) {
      throw missingOr(err, sha);
    }
  }

  async size(sha: string): Promise<number> {
    try {
      return (await stat(this.pathOf(sha))).size;
    } catch (err) {
      throw missingOr(err, sha);
    }
  }

  /** Removes a stored file; removing one that is absent is a no-op. */
  async remove(sha: string): Promise<void> {
    await rm(this.pathOf(sha), { force: true });
  }

  private shardDir(sha: string): string {
    if (!isSha256(sha)) {
      throw new NormscopeError(
        'InvalidRequest',
        `not a content address (64 lowercase hex digits expected): ${JSON.stringify(String(sha).slice(0, 80))}`,
      );
    }
    return join(this.root, sha.slice(0, 2));
  }

  private async commit(temp: string, sha: string): Promise<void> {
    const dir = this.shardDir(sha);
    await rename(temp, join(dir, sha));
    await fsyncDir(dir);
  }
}

function tempName(): string {
  return `.tmp-${process.pid}-${randomBytes(8).toString('hex')}`;
}

async function writeDurably(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await write(handle);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(path, { force: true });
    throw err;
  }
  await handle.close();
}

/** Makes the rename itself durable; Windows cannot open folders, and its rename is already journaled. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function missingOr(err: unknown, sha: string): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return new NormscopeError('NotFound', `no stored file with sha256 ${sha}`);
  }
  return err as Error;
}
