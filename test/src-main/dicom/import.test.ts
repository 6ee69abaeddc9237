import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importDicom } from '../../../src-main/dicom/import';
import { openStore } from '../../../src-main/store';
import type { Store } from '../../../src-main/store';
import { ensureCorpus } from './corpus/generate';
import type { Corpus } from './corpus/generate';

let corpus: Corpus;
let dir: string;
let store: Store;

beforeAll(async () => {
  corpus = await ensureCorpus();
}, 120_000);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'normscope-import-'));
  store = openStore({ memory: true });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function corpusFile(name: string): string {
  return join(corpus.dir, name);
}

function place(name: string, as: string): string {
  const target = join(dir, as);
  mkdirSync(join(target, '..'), { recursive: true });
  copyFileSync(corpusFile(name), target);
  return target;
}

function instanceCount(): number {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM instances').get() as { n: number }).n;
}

/** Files in the content store (every regular file under its root except in-progress temp files). */
function storedFiles(): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (/^[0-9a-f]{64}$/.test(name)) out.push(name);
    }
  };
  visit(store.files.root);
  return out.sort();
}

describe('importDicom', () => {
  it('imports a folder recursively, records each bad file with its reason and leaves nothing of it behind', async () => {
    place('mono16s.original.dcm', 'a/one.dcm');
    place('rgb.jpegls-lossless.dcm', 'a/b/two');
    place('multiframe.htj2k.dcm', 'a/b/c/three.dcm');
    writeFileSync(join(dir, 'a/notes.txt'), 'not an image');
    const whole = readFileSync(corpusFile('mono12.original.dcm'));
    writeFileSync(join(dir, 'a/b/short.dcm'), whole.subarray(0, whole.length - 100));

    const progress: number[] = [];
    const result = await importDicom(store, [join(dir, 'a')], {
      jobId: null,
      onProgress: (p) => progress.push(p.filesDone),
    });
    expect([result.imported, result.existing, result.failed, result.filesTotal]).toEqual([
      3, 0, 2, 5,
    ]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(
      result.failures.map((f) => [f.path.slice(dir.length), f.reason.replace(dir, '')]),
    ).toEqual([
      ['/a/b/short.dcm', '/a/b/short.dcm: pixel data too short: 860 bytes for 960 expected'],
      [
        '/a/notes.txt',
        '/a/notes.txt: not a DICOM file (no DICM prefix and no recognisable dataset)',
      ],
    ]);
    expect(
      (store.db.prepare('SELECT COUNT(*) AS n FROM import_errors').get() as { n: number }).n,
    ).toBe(2);
    expect(instanceCount()).toBe(3);
    expect(storedFiles()).toHaveLength(3);

    const study = store.studies.getStudy('1.2.826.0.1.3680043.10.99.1.7')!;
    expect(study.series[0]!.instances[0]!.frames).toBe(3);

    const again = await importDicom(store, [join(dir, 'a')]);
    expect([again.imported, again.existing]).toEqual([0, 3]);
    expect(instanceCount()).toBe(3);
    expect(storedFiles()).toHaveLength(3);
  });

  it('imports zip archives by content, refusing a zip bomb entry', async () => {
    const zip = zipSync({
      'x/../../evil/one.dcm': new Uint8Array(readFileSync(corpusFile('mono8.original.dcm'))),
      'two.dcm': new Uint8Array(readFileSync(corpusFile('palette.rle-dcmtk.dcm'))),
      'bomb.dcm': new Uint8Array(20 * 1024 * 1024),
    });
    writeFileSync(join(dir, 'study.zip'), zip);
    const result = await importDicom(store, [join(dir, 'study.zip')]);
    expect([result.imported, result.failed]).toEqual([2, 1]);
    expect(result.failures[0]!.reason).toMatch(
      /bomb\.dcm: compression ratio above 200:1, refused as a zip bomb/,
    );
    expect(readdirSync(dir)).toEqual(['study.zip']); // entry names never became paths
    expect(storedFiles()).toHaveLength(2);
  });

  it('streams files and zip entries larger than the in-memory cap, storing the same bytes', async () => {
    const names = ['mono16.original.dcm', 'rgb.original.dcm', 'multiframe.original.dcm'];
    for (const name of names) place(name, `big/${name}`);
    writeFileSync(
      join(dir, 'big.zip'),
      zipSync({ 'entry.dcm': new Uint8Array(readFileSync(corpusFile('palette.original.dcm'))) }),
    );
    const result = await importDicom(store, [join(dir, 'big'), join(dir, 'big.zip')], {
      limits: { maxInMemoryBytes: 64 },
    });
    expect([result.imported, result.failed]).toEqual([4, 0]);
    const expected = [...names, 'palette.original.dcm']
      .map((name) =>
        createHash('sha256')
          .update(readFileSync(corpusFile(name)))
          .digest('hex'),
      )
      .sort();
    const stored = store.db.prepare('SELECT file_sha256 AS sha FROM instances').all() as Array<{
      sha: string;
    }>;
    expect(stored.map((row) => row.sha).sort()).toEqual(expected);
    expect(storedFiles()).toHaveLength(4);
  });

  it('follows a DICOMDIR to the files it references', async () => {
    place('mono16s.original.dcm', 'cd/IMG/IM1');
    place('rgb.original.dcm', 'cd/IMG/IM2');
    execFileSync('dcmmkdir', ['--general-purpose', '+I', '+r', 'IMG/IM1', 'IMG/IM2'], {
      cwd: join(dir, 'cd'),
      stdio: 'pipe',
    });
    const viaDicomdir = await importDicom(store, [join(dir, 'cd', 'DICOMDIR')]);
    expect([viaDicomdir.filesTotal, viaDicomdir.imported, viaDicomdir.failed]).toEqual([2, 2, 0]);
    // walking the folder skips the DICOMDIR itself rather than reporting it as a broken image
    const viaFolder = await importDicom(store, [join(dir, 'cd')]);
    expect([viaFolder.filesTotal, viaFolder.existing, viaFolder.failed]).toEqual([2, 2, 0]);
  });

  it('stops between files when cancelled, and stores the files it had started', async () => {
    const originals = readdirSync(corpus.dir).filter((name) => name.endsWith('.original.dcm'));
    expect(originals.length).toBeGreaterThanOrEqual(10);
    for (const [i, name] of originals.entries()) place(name, `f/${i}.dcm`);
    const controller = new AbortController();
    const result = await importDicom(store, [join(dir, 'f')], {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.filesDone === 2) controller.abort();
      },
    });
    // the files already being read when the cancel came (a few at once) are finished, no more
    expect(result.cancelled).toBe(true);
    expect(result.filesDone).toBeGreaterThanOrEqual(2);
    expect(result.filesDone).toBeLessThan(originals.length);
    expect(result.imported).toBe(result.filesDone);
    expect(instanceCount()).toBe(result.imported);
  });

  it('survives hundreds of corrupted files: each is imported or recorded, and the store stays consistent', async () => {
    const seeds = [
      'mono16s.original.dcm',
      'rgb.rle-dcmtk.dcm',
      'mono12.deflated.dcm',
      'mono8.jpeg-baseline.dcm',
      'multiframe.htj2k.dcm',
    ].map((name) => new Uint8Array(readFileSync(corpusFile(name))));
    let state = 42;
    const rnd = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    mkdirSync(join(dir, 'fuzz'));
    const inputs = 300;
    for (let n = 0; n < inputs; n++) {
      const bytes = seeds[n % seeds.length]!.slice();
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++)
        bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      writeFileSync(
        join(dir, 'fuzz', `${n}.dcm`),
        rnd() < 0.2 ? bytes.subarray(0, Math.floor(rnd() * bytes.length)) : bytes,
      );
    }
    const result = await importDicom(store, [join(dir, 'fuzz')]);
    expect(result.imported + result.existing + result.failed).toBe(inputs);
    expect(result.failures.every((f) => f.reason.length > 10)).toBe(true);
    const referenced = store.db
      .prepare('SELECT DISTINCT file_sha256 AS sha FROM instances')
      .all() as Array<{ sha: string }>;
    expect(storedFiles()).toEqual(referenced.map((r) => r.sha).sort());
  }, 60_000);
});
