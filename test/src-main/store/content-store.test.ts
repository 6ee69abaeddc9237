import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore, sha256Hex } from '../../../src-main/store/content-store';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normscope-files-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`, relative paths. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('ContentStore', () => {
  it('stores bytes under files/<first 2>/<sha256> and reads them back', async () => {
    const root = tempDir();
    const files = new ContentStore(root);
    const bytes = new TextEncoder().encode('a DICOM file, pretend');
    const ref = await files.put(bytes);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(ref).toEqual({ sha256: expected, size: bytes.byteLength });
    expect(files.pathOf(expected)).toBe(join(root, expected.slice(0, 2), expected));
    expect(files.has(expected)).toBe(true);
    expect(Buffer.compare(await files.read(expected), Buffer.from(bytes))).toBe(0);
    expect(await files.size(expected)).toBe(bytes.byteLength);
    // nothing but the stored file: no temporary file is left behind
    expect(listFiles(root)).toEqual([join(expected.slice(0, 2), expected)]);
  });

  it('is idempotent: storing the same bytes twice keeps one file', async () => {
    const root = tempDir();
    const files = new ContentStore(root);
    const bytes = randomBytes(1000);
    const first = await files.put(bytes);
    const second = await files.put(bytes);
    const viaFile = join(tempDir(), 'same.bin');
    writeFileSync(viaFile, bytes);
    const third = await files.putFile(viaFile);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(listFiles(root)).toHaveLength(1);
  });

  it('hashes a file while streaming it: the address is the sha256 of its contents', async () => {
    const files = new ContentStore(tempDir());
    const source = join(tempDir(), 'large.bin');
    const bytes = randomBytes(3 * 1024 * 1024 + 17); // several stream chunks
    writeFileSync(source, bytes);
    const ref = await files.putFile(source);
    expect(ref).toEqual({ sha256: sha256Hex(bytes), size: bytes.byteLength });
    expect(sha256Hex(await files.read(ref.sha256))).toBe(ref.sha256);
  });

  it('refuses malformed content addresses instead of using them as paths', async () => {
    const files = new ContentStore(tempDir());
    const bad = [
      '../../etc/passwd',
      'A'.repeat(64),
      'a'.repeat(63),
      `${'a'.repeat(62)}/x`,
      '',
      `${'0'.repeat(64)}\n`,
    ];
    for (const sha of bad) {
      expect(() => files.pathOf(sha)).toThrow(expect.objectContaining({ name: 'InvalidRequest' }));
      expect(() => files.has(sha)).toThrow(/not a content address/);
      await expect(files.read(sha)).rejects.toThrow(/not a content address/);
      await expect(files.remove(sha)).rejects.toThrow(/not a content address/);
    }
  });

  it('reports a missing file as NotFound and removes idempotently', async () => {
    const files = new ContentStore(tempDir());
    const ref = await files.put(new Uint8Array([7]));
    await files.remove(ref.sha256);
    await files.remove(ref.sha256);
    expect(files.has(ref.sha256)).toBe(false);
    await expect(files.read(ref.sha256)).rejects.toMatchObject({ name: 'NotFound' });
    await expect(files.putFile(join(tempDir(), 'absent.dcm'))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('writes atomically: an interrupted streamed copy leaves no stored file', async () => {
    const root = tempDir();
    const files = new ContentStore(root);
    const directory = tempDir(); // reading a directory fails after the temp file was opened
    await expect(files.putFile(directory)).rejects.toMatchObject({ name: 'Unavailable' });
    expect(listFiles(root)).toEqual([]);
    expect(existsSync(join(root, '.incoming'))).toBe(true);
  });
});
