/**
 * Builds the test corpus: the originals, re-encoded by dcmtk and gdcm into
 * every transfer syntax they write, plus HTJ2K through the openjph encoder.
 * Cached under os.tmpdir() by a hash of the generator's own sources and the
 * tools' versions, so repeated runs reuse it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ORIGINALS, writeEncapsulated, writeOriginal } from './originals';
import type { Original } from './originals';

export interface Variant {
  original: string;
  label: string;
  file: string;
  /** whether the encoding keeps stored values exactly */
  lossless: boolean;
  /** for lossy variants: the same file decompressed by dcmtk or gdcm, to compare our decoder with */
  reference?: string;
}

export interface Corpus {
  dir: string;
  variants: Variant[];
  /** encodings the tools refused, with their message (e.g. JPEG baseline of 16-bit data) */
  refused: Array<{ original: string; label: string; reason: string }>;
}

type Command = (input: string, output: string) => [string, string[]];
type Encoder = { label: string; lossless: boolean; command: Command; decompress?: Command };

const DCMDJPEG: Command = (i, o) => ['dcmdjpeg', [i, o]];

const ENCODERS: Encoder[] = [
  { label: 'implicit-le', lossless: true, command: (i, o) => ['dcmconv', ['+ti', i, o]] },
  { label: 'explicit-be', lossless: true, command: (i, o) => ['dcmconv', ['+tb', i, o]] },
  { label: 'deflated', lossless: true, command: (i, o) => ['dcmconv', ['+td', i, o]] },
  { label: 'raw-implicit', lossless: true, command: (i, o) => ['dcmconv', ['-F', '+ti', i, o]] },
  { label: 'raw-explicit', lossless: true, command: (i, o) => ['dcmconv', ['-F', '+te', i, o]] },
  { label: 'rle-dcmtk', lossless: true, command: (i, o) => ['dcmcrle', [i, o]] },
  { label: 'rle-gdcm', lossless: true, command: (i, o) => ['gdcmconv', ['--rle', i, o]] },
  {
    label: 'jpeg-baseline',
    lossless: false,
    command: (i, o) => ['dcmcjpeg', ['+eb', i, o]],
    decompress: DCMDJPEG,
  },
  {
    label: 'jpeg-extended',
    lossless: false,
    command: (i, o) => ['dcmcjpeg', ['+ee', i, o]],
    decompress: DCMDJPEG,
  },
  { label: 'jpeg-lossless-sv1', lossless: true, command: (i, o) => ['dcmcjpeg', ['+e1', i, o]] },
  {
    label: 'jpeg-lossless-sv6',
    lossless: true,
    command: (i, o) => ['dcmcjpeg', ['+el', '+sv', '6', i, o]],
  },
  { label: 'jpegls-lossless', lossless: true, command: (i, o) => ['dcmcjpls', [i, o]] },
  {
    label: 'jpegls-near',
    lossless: false,
    command: (i, o) => ['dcmcjpls', ['+en', i, o]],
    decompress: (i, o) => ['dcmdjpls', [i, o]],
  },
  { label: 'jpegls-gdcm', lossless: true, command: (i, o) => ['gdcmconv', ['--jpegls', i, o]] },
  { label: 'j2k-lossless', lossless: true, command: (i, o) => ['gdcmconv', ['--j2k', i, o]] },
  {
    label: 'j2k-lossy',
    lossless: false,
    command: (i, o) => ['gdcmconv', ['--j2k', '--lossy', '--irreversible', '-q', '80', i, o]],
    decompress: (i, o) => ['gdcmconv', ['--raw', i, o]],
  },
];

const require = createRequire(import.meta.url);

interface HtEncoder {
  getDecodedBuffer(frameInfo: object): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/** HTJ2K lossless frames from the openjph encoder (gdcm has no HTJ2K writer). */
async function encodeHtj2k(o: Original): Promise<Uint8Array[]> {
  const factory = require('@cornerstonejs/codec-openjph/wasmjs') as () => Promise<{
    HTJ2KEncoder: new () => HtEncoder;
  }>;
  const codec = await factory();
  const perFrame = o.rows * o.columns * o.samplesPerPixel;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < o.frames; f++) {
    const values = o.expected.slice(f * perFrame, (f + 1) * perFrame);
    const bytes =
      o.bitsAllocated === 8
        ? Uint8Array.from(values)
        : new Uint8Array((o.signed ? Int16Array : Uint16Array).from(values).buffer);
    const encoder = new codec.HTJ2KEncoder();
    try {
      const info = {
        width: o.columns,
        height: o.rows,
        bitsPerSample: o.bitsStored,
        componentCount: o.samplesPerPixel,
        isSigned: o.signed,
        isUsingColorTransform: false,
      };
      encoder.getDecodedBuffer(info).set(bytes);
      encoder.encode();
      frames.push(encoder.getEncodedBuffer().slice());
    } finally {
      encoder.delete();
    }
  }
  return frames;
}

function toolVersions(): string {
  return ['dcmconv', 'gdcmconv']
    .map((tool) => {
      try {
        return execFileSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 }).split(
          '\n',
        )[0];
      } catch {
        return `${tool}: missing`;
      }
    })
    .join('|');
}

function corpusKey(): string {
  const hash = createHash('sha256');
  for (const name of ['generate.ts', 'originals.ts', 'write-dicom.ts']) {
    hash.update(readFileSync(fileURLToPath(new URL(name, import.meta.url))));
  }
  hash.update(toolVersions());
  return hash.digest('hex').slice(0, 16);
}

async function build(dir: string): Promise<Omit<Corpus, 'dir'>> {
  const variants: Variant[] = [];
  const refused: Corpus['refused'] = [];
  for (const o of ORIGINALS) {
    const original = join(dir, `${o.name}.original.dcm`);
    writeFileSync(original, writeOriginal(o));
    variants.push({
      original: o.name,
      label: 'explicit-le',
      file: `${o.name}.original.dcm`,
      lossless: true,
    });
    for (const encoder of ENCODERS) {
      const name = `${o.name}.${encoder.label}.dcm`;
      const [tool, args] = encoder.command(original, join(dir, name));
      try {
        execFileSync(tool, args, { stdio: 'pipe', timeout: 30_000 });
        if (!existsSync(join(dir, name))) throw new Error('no output file');
        const variant: Variant = {
          original: o.name,
          label: encoder.label,
          file: name,
          lossless: encoder.lossless,
        };
        if (encoder.decompress) {
          const reference = `${o.name}.${encoder.label}.reference.dcm`;
          const [refTool, refArgs] = encoder.decompress(join(dir, name), join(dir, reference));
          execFileSync(refTool, refArgs, { stdio: 'pipe', timeout: 30_000 });
          variant.reference = reference;
        }
        variants.push(variant);
      } catch (err) {
        const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
        refused.push({ original: o.name, label: encoder.label, reason: stderr || String(err) });
      }
    }
    if (o.bitsAllocated !== 1) {
      const name = `${o.name}.htj2k.dcm`;
      writeFileSync(
        join(dir, name),
        writeEncapsulated(o, '1.2.840.10008.1.2.4.201', await encodeHtj2k(o)),
      );
      variants.push({ original: o.name, label: 'htj2k', file: name, lossless: true });
    }
  }
  return { variants, refused };
}

/**
 * Test files run in parallel processes: the first takes the lock and builds,
 * the others wait for its manifest. Returns true when another process built
 * it, false when this one holds the lock (or a stale lock was taken over).
 */
async function awaitOtherBuilder(lock: string, manifest: string): Promise<boolean> {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return false;
  } catch {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (existsSync(manifest)) return true;
      if (!existsSync(lock)) return awaitOtherBuilder(lock, manifest);
      await new Promise((r) => setTimeout(r, 200));
    }
    rmSync(lock, { force: true });
    return false;
  }
}

/** The corpus, generated on first use and then reused from the cache. */
export async function ensureCorpus(): Promise<Corpus> {
  const dir = join(tmpdir(), `normscope-dicom-corpus-${corpusKey()}`);
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest) && !(await awaitOtherBuilder(`${dir}.lock`, manifest))) {
    const staging = mkdtempSync(join(tmpdir(), 'normscope-dicom-corpus-staging-'));
    try {
      const built = await build(staging);
      writeFileSync(join(staging, 'manifest.json'), JSON.stringify(built));
      renameSync(staging, dir);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(manifest)) throw err; // otherwise another builder finished first; its corpus is identical
    } finally {
      rmSync(`${dir}.lock`, { force: true });
    }
  }
  const { variants, refused } = JSON.parse(readFileSync(manifest, 'utf8')) as Omit<Corpus, 'dir'>;
  return { dir, variants, refused };
}
