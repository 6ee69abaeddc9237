/**
 * Seeded mutation fuzzing of real corpus files through parse + decode: bit
 * flips, byte overwrites, truncation, corrupted length fields and inserted or
 * deleted bytes. Every input must either decode or fail with a NormscopeError
 * carrying a message, within a time bound; nothing may crash or hang.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NormscopeError } from '../../../src-main/api/errors';
import { decodeFrame } from '../../../src-main/dicom/decode';
import { storedValuesSha256 } from '../../../src-main/dicom/info';
import { parseDicom } from '../../../src-main/dicom/parse';
import { ensureCorpus } from './corpus/generate';
import type { Corpus } from './corpus/generate';

const INPUTS = 5000;
/** a corrupt codestream can loop a codec forever (openjph does): the worker is stopped after this */
const CODEC_TIMEOUT_MS = 1500;
const PER_INPUT_MS = 2500;
const SEEDS = [
  'mono16s.original.dcm',
  'mono16s.explicit-be.dcm',
  'mono12.deflated.dcm',
  'mono12s.raw-implicit.dcm',
  'bits1.original.dcm',
  'multiframe.rle-dcmtk.dcm',
  'rgbplanar.rle-gdcm.dcm',
  'mono16.jpeg-lossless-sv1.dcm',
  'mono8.jpeg-baseline.dcm',
  'rgb.jpeg-baseline.dcm',
  'mono16s.jpegls-lossless.dcm',
  'rgb.jpegls-gdcm.dcm',
  'mono12.j2k-lossless.dcm',
  'rgb.j2k-lossy.dcm',
  'multiframe.htj2k.dcm',
  'palette.original.dcm',
];

let corpus: Corpus;
beforeAll(async () => {
  corpus = await ensureCorpus();
}, 120_000);

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

async function hashes(bytes: Uint8Array, name: string): Promise<string[]> {
  const parsed = parseDicom(bytes, name);
  const out: string[] = [];
  for (let f = 0; f < parsed.header.numberOfFrames; f++)
    out.push(storedValuesSha256((await decodeFrame(parsed, f)).data));
  return out;
}

function mutate(original: Uint8Array, rnd: () => number): Uint8Array {
  const bytes = original.slice();
  const at = (): number => Math.floor(rnd() * bytes.length);
  switch (Math.floor(rnd() * 6)) {
    case 0: // bit flips
      for (let i = 1 + Math.floor(rnd() * 8); i > 0; i--)
        bytes[at()]! ^= 1 << Math.floor(rnd() * 8);
      return bytes;
    case 1: // random bytes
      for (let i = 1 + Math.floor(rnd() * 16); i > 0; i--) bytes[at()] = Math.floor(rnd() * 256);
      return bytes;
    case 2: // truncation
      return bytes.subarray(0, at());
    case 3: {
      // a length field (any even offset) replaced by a large or boundary value
      const where = at() & ~1;
      const values = [
        0xffffffff,
        0xfffffffe,
        0x7fffffff,
        bytes.length,
        bytes.length + 2,
        0,
        1,
        Math.floor(rnd() * 2 ** 32),
      ];
      if (where + 4 <= bytes.length)
        new DataView(bytes.buffer).setUint32(
          where,
          values[Math.floor(rnd() * values.length)]!,
          true,
        );
      return bytes;
    }
    case 4: {
      // a 16-bit field (short lengths, Rows, Columns, Bits) replaced
      const where = at() & ~1;
      if (where + 2 <= bytes.length)
        new DataView(bytes.buffer).setUint16(
          where,
          [0, 1, 0xffff, 0x8000, Math.floor(rnd() * 65536)][Math.floor(rnd() * 5)]!,
          true,
        );
      return bytes;
    }
    default: {
      // bytes inserted or deleted
      const where = at();
      const count = 1 + Math.floor(rnd() * 8);
      if (rnd() < 0.5)
        return new Uint8Array([...bytes.subarray(0, where), ...bytes.subarray(where + count)]);
      return new Uint8Array([
        ...bytes.subarray(0, where),
        ...Array.from({ length: count }, () => Math.floor(rnd() * 256)),
        ...bytes.subarray(where),
      ]);
    }
  }
}

describe('fuzzing parse and decode with mutated corpus files', () => {
  it(`survives ${INPUTS} corrupted inputs: each decodes or fails with a named NormscopeError, in bounded time`, async () => {
    const seeds = SEEDS.map((name) => ({
      name,
      bytes: new Uint8Array(readFileSync(join(corpus.dir, name))),
    }));
    const before = new Map<string, string[]>();
    for (const seed of seeds) before.set(seed.name, await hashes(seed.bytes, seed.name));
    const rnd = random(20261128);
    const unexpected: string[] = [];
    const outcomes = { decoded: 0, refused: 0 };
    let slowest = 0;
    for (let n = 0; n < INPUTS; n++) {
      const seed = seeds[n % seeds.length]!;
      const input = mutate(seed.bytes, rnd);
      const started = performance.now();
      try {
        const parsed = parseDicom(input, `fuzz-${n}.dcm`, {
          limits: { maxPixelBytes: 64 * 1024 * 1024, maxInflatedBytes: 64 * 1024 * 1024 },
        });
        for (let f = 0; f < parsed.header.numberOfFrames; f++)
          await decodeFrame(parsed, f, { codecTimeoutMs: CODEC_TIMEOUT_MS });
        outcomes.decoded++;
      } catch (err) {
        if (
          err instanceof NormscopeError &&
          err.message.startsWith(`fuzz-${n}.dcm: `) &&
          err.message.length > 20
        )
          outcomes.refused++;
        else
          unexpected.push(
            `${seed.name} #${n}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(
              0,
              300,
            ),
          );
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    expect(unexpected.slice(0, 20)).toEqual([]);
    expect(slowest).toBeLessThan(PER_INPUT_MS);
    expect(outcomes.refused).toBeGreaterThan(INPUTS / 10);
    expect(outcomes.decoded + outcomes.refused).toBe(INPUTS);

    // the codecs still decode exactly as before after thousands of failures (no poisoned WASM heap)
    for (const seed of seeds)
      expect(await hashes(seed.bytes, seed.name), seed.name).toEqual(before.get(seed.name));
  }, 120_000);
});
