import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NormscopeError } from '../../../src-main/api/errors';
import { decodeFrame, modalityLut } from '../../../src-main/dicom/decode';
import type { StoredValues } from '../../../src-main/dicom/decode';
import { storedValuesSha256 } from '../../../src-main/dicom/info';
import { applyPalette, readPalette } from '../../../src-main/dicom/palette';
import { parseDicom } from '../../../src-main/dicom/parse';
import { ensureCorpus } from './corpus/generate';
import type { Corpus, Variant } from './corpus/generate';
import { ORIGINALS, SECONDARY_CAPTURE, writeEncapsulated } from './corpus/originals';
import { writePart10 } from './corpus/write-dicom';
import type { DicomItem } from './corpus/write-dicom';
import type { Original } from './corpus/originals';

let corpus: Corpus;
beforeAll(async () => {
  corpus = await ensureCorpus();
}, 120_000);

function naturalArray(o: Original, values: number[]): StoredValues {
  if (o.bitsAllocated <= 8) return o.signed ? Int8Array.from(values) : Uint8Array.from(values);
  return o.signed ? Int16Array.from(values) : Uint16Array.from(values);
}

async function decodeAll(v: Variant): Promise<{ frames: StoredValues[]; photometric: string }> {
  const parsed = parseDicom(readFileSync(join(corpus.dir, v.file)), v.file);
  const frames: StoredValues[] = [];
  let photometric = '';
  for (let f = 0; f < parsed.header.numberOfFrames; f++) {
    const decoded = await decodeFrame(parsed, f);
    frames.push(decoded.data);
    photometric = decoded.photometric;
  }
  return { frames, photometric };
}

function originalOf(v: Variant): Original {
  return ORIGINALS.find((o) => o.name === v.original)!;
}

function expectedFrames(o: Original): number[][] {
  const perFrame = o.rows * o.columns * o.samplesPerPixel;
  return Array.from({ length: o.frames }, (_, f) =>
    o.expected.slice(f * perFrame, (f + 1) * perFrame),
  );
}

/** YBR_FULL to RGB (PS3.3 C.7.6.3.1.2), what libjpeg returns for a YCbCr JPEG. */
function ybrToRgb(values: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += 3) {
    const [y, cb, cr] = [values[i]!, values[i + 1]! - 128, values[i + 2]! - 128];
    const clamp = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));
    out.push(
      clamp(y + 1.402 * cr),
      clamp(y - 0.344136 * cb - 0.714136 * cr),
      clamp(y + 1.772 * cb),
    );
  }
  return out;
}

function errorStats(
  actual: ArrayLike<number>,
  expected: number[],
  peak: number,
): { maxAbs: number; psnr: number } {
  let maxAbs = 0;
  let squared = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = actual[i]! - expected[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    squared += d * d;
  }
  const mse = squared / expected.length;
  return { maxAbs, psnr: mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse) };
}

/**
 * Lossy tolerances, stated. Against the reference decoder (dcmdjpeg, dcmdjpls,
 * gdcm's openjpeg) our output must agree to within 1 (IDCT rounding may differ).
 * Against the original: PSNR over the full stored range (the test images carry
 * 5% noise, hard for JPEG at dcmcjpeg's default quality), and for JPEG-LS
 * near-lossless the NEAR bound itself.
 */
const LOSSY_TOLERANCE: Record<string, { minPsnr: number; maxAbs?: number }> = {
  'jpeg-baseline': { minPsnr: 25 },
  'jpeg-extended': { minPsnr: 25 },
  'jpegls-near': { minPsnr: 40, maxAbs: 2 }, // dcmcjpls +en uses NEAR = 2
  'j2k-lossy': { minPsnr: 35 },
};
const MAX_DIFFERENCE_FROM_REFERENCE_DECODER = 1;

describe('decoding the corpus', () => {
  it('made every variant the tools can write (so a missing tool cannot skip the comparisons)', () => {
    const labels = (name: string): string[] =>
      corpus.variants
        .filter((v) => v.original === name)
        .map((v) => v.label)
        .sort();
    expect(labels('mono16s')).toEqual(
      [
        'deflated',
        'explicit-be',
        'explicit-le',
        'htj2k',
        'implicit-le',
        'j2k-lossless',
        'j2k-lossy',
        'jpeg-baseline',
        'jpeg-extended',
        'jpeg-lossless-sv1',
        'jpeg-lossless-sv6',
        'jpegls-gdcm',
        'jpegls-lossless',
        'raw-explicit',
        'raw-implicit',
        'rle-dcmtk',
        'rle-gdcm',
      ].sort(),
    );
    expect(labels('rgbplanar')).toContain('jpegls-near');
    expect(labels('bits1')).toEqual([
      'deflated',
      'explicit-be',
      'explicit-le',
      'implicit-le',
      'raw-explicit',
      'raw-implicit',
    ]);
  });

  it('decodes every lossless variant to exactly the stored values of the original (sha256 per frame)', async () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const v of corpus.variants.filter((x) => x.lossless)) {
      const o = originalOf(v);
      const { frames } = await decodeAll(v);
      const expected = expectedFrames(o);
      expect(frames.length, v.file).toBe(o.frames);
      frames.forEach((data, f) => {
        compared++;
        if (storedValuesSha256(data) !== storedValuesSha256(naturalArray(o, expected[f]!)))
          mismatches.push(`${v.file} frame ${f}`);
      });
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(150);
  });

  it('decodes lossy variants like the reference decoders do, and within the stated tolerance of the original', async () => {
    const report: string[] = [];
    for (const v of corpus.variants.filter((x) => !x.lossless)) {
      const o = originalOf(v);
      const tolerance = LOSSY_TOLERANCE[v.label]!;
      const jpeg = v.label.startsWith('jpeg-');
      const { frames, photometric } = await decodeAll(v);
      const reference = await decodeAll({ ...v, file: v.reference! });
      frames.forEach((data, f) => {
        const fromReference = errorStats(data, Array.from(reference.frames[f]!), 1).maxAbs;
        if (fromReference > MAX_DIFFERENCE_FROM_REFERENCE_DECODER)
          report.push(
            `${v.file} frame ${f}: differs from the reference decoder by ${fromReference}`,
          );
      });
      // dcmcjpeg rescales wider data to 8 bits for baseline and turns palette into RGB: no original to compare with
      if (jpeg && (o.bitsAllocated !== 8 || o.photometric === 'PALETTE COLOR')) continue;
      const expected = expectedFrames(o);
      frames.forEach((data, f) => {
        const reference =
          jpeg && o.photometric === 'YBR_FULL' ? ybrToRgb(expected[f]!) : expected[f]!;
        if (jpeg && o.samplesPerPixel === 3) expect(photometric).toBe('RGB');
        const { maxAbs, psnr } = errorStats(data, reference, 2 ** o.bitsStored - 1);
        if (psnr < tolerance.minPsnr || maxAbs > (tolerance.maxAbs ?? Infinity)) {
          report.push(`${v.file} frame ${f}: PSNR ${psnr.toFixed(1)} dB, max abs error ${maxAbs}`);
        }
      });
    }
    expect(report).toEqual([]);
  });

  it('decodes 12-bit lossy JPEG (process 4) exactly as dcmdjpeg does', async () => {
    const twelveBit = corpus.variants.filter(
      (x) => x.label === 'jpeg-extended' && originalOf(x).bitsStored === 12,
    );
    expect(twelveBit.map((v) => v.original).sort()).toEqual(['mono12', 'mono12s', 'monochrome1']);
    for (const v of twelveBit) {
      const { frames } = await decodeAll(v);
      const reference = await decodeAll({ ...v, file: v.reference! });
      expect(
        frames.map((f) => storedValuesSha256(f)),
        v.file,
      ).toEqual(reference.frames.map((f) => storedValuesSha256(f)));
      // and it is the picture, not just what some decoder makes of it; dcmcjpeg writes signed
      // input as unsigned values (Pixel Representation 0), so only unsigned originals compare
      const o = originalOf(v);
      if (o.signed) continue;
      const { psnr } = errorStats(frames[0]!, expectedFrames(o)[0]!, 2 ** o.bitsStored - 1);
      expect(psnr, v.file).toBeGreaterThan(LOSSY_TOLERANCE['jpeg-extended']!.minPsnr);
    }
  });

  it('refuses a corrupt 12-bit lossy JPEG frame with an error naming the file and the decoder', async () => {
    const v = corpus.variants.find((x) => x.original === 'mono12' && x.label === 'jpeg-extended')!;
    const bytes = new Uint8Array(readFileSync(join(corpus.dir, v.file)));
    // garble the entropy-coded data between the start of scan (FF DA) and the end of image (FF D9)
    const scan = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xda);
    const end = bytes.findLastIndex((b, i) => b === 0xff && bytes[i + 1] === 0xd9);
    expect(end - scan).toBeGreaterThan(100);
    for (let i = scan + 20; i < end; i++) bytes[i] = (i * 7) & 255;
    const parsed = parseDicom(bytes, v.file);
    const error = await decodeFrame(parsed, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NormscopeError);
    expect((error as NormscopeError).name).toBe('InvalidRequest');
    expect((error as NormscopeError).message).toMatch(/mono12\.jpeg-extended\.dcm.*JpegDecoder12/);
  });

  it('clears bits above High Bit and sign-extends 12-bit signed values', async () => {
    const v = corpus.variants.find((x) => x.original === 'mono12s' && x.label === 'explicit-le')!;
    const { frames } = await decodeAll(v);
    const data = frames[0]!;
    expect(data).toBeInstanceOf(Int16Array);
    expect(Math.min(...data)).toBeGreaterThanOrEqual(-2048);
    expect(Math.max(...data)).toBeLessThanOrEqual(2047);
    expect(Math.min(...data)).toBeLessThan(0);
  });

  it('unpacks 1-bit frames that start in the middle of a byte', async () => {
    const v = corpus.variants.find((x) => x.original === 'bits1' && x.label === 'explicit-le')!;
    const { frames } = await decodeAll(v);
    const o = originalOf(v);
    expect(frames.map((f) => Array.from(f))).toEqual(expectedFrames(o));
  });
});

describe('modalityLut', () => {
  it('applies slope and intercept, e.g. CT stored values to Hounsfield units', () => {
    expect(Array.from(modalityLut(Int16Array.from([0, 1024, -5]), 1, -1024))).toEqual([
      -1024, 0, -1029,
    ]);
    expect(Array.from(modalityLut(Uint16Array.from([10]), 0.5, 2))).toEqual([7]);
  });
});

describe('palette and subsampled colour', () => {
  it('keeps PALETTE COLOR values as indices and maps them through the palette for display', async () => {
    const file = corpus.variants.find(
      (x) => x.original === 'palette' && x.label === 'rle-dcmtk',
    )!.file;
    const parsed = parseDicom(readFileSync(join(corpus.dir, file)), file);
    const indices = (await decodeFrame(parsed, 0)).data;
    const rgb = applyPalette(indices, readPalette(parsed));
    const i = 17;
    const index = indices[i]!;
    expect([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]]).toEqual([
      index * 257,
      (255 - index) * 257,
      ((index * 2) % 256) * 257,
    ]);
  });

  it('upsamples native YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair) to full YBR samples', async () => {
    const elements: DicomItem[] = [
      { tag: 0x00080016, vr: 'UI', value: SECONDARY_CAPTURE },
      { tag: 0x00080018, vr: 'UI', value: '1.2.3.422' },
      { tag: 0x00280002, vr: 'US', value: [3] },
      { tag: 0x00280004, vr: 'CS', value: 'YBR_FULL_422' },
      { tag: 0x00280006, vr: 'US', value: [0] },
      { tag: 0x00280010, vr: 'US', value: [1] },
      { tag: 0x00280011, vr: 'US', value: [4] },
      { tag: 0x00280100, vr: 'US', value: [8] },
      { tag: 0x00280101, vr: 'US', value: [8] },
      { tag: 0x00280102, vr: 'US', value: [7] },
      { tag: 0x00280103, vr: 'US', value: [0] },
      { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([10, 20, 100, 200, 30, 40, 110, 210]) },
    ];
    const parsed = parseDicom(
      writePart10(elements, '1.2.840.10008.1.2.1', SECONDARY_CAPTURE, '1.2.3.422'),
      '422.dcm',
    );
    const frame = await decodeFrame(parsed, 0);
    expect(frame.photometric).toBe('YBR_FULL');
    expect(Array.from(frame.data)).toEqual([
      10, 100, 200, 20, 100, 200, 30, 110, 210, 40, 110, 210,
    ]);
  });

  it('finds frames split over several fragments without an offset table by their codestream starts', async () => {
    const o = ORIGINALS.find((x) => x.name === 'multiframe')!;
    const source = parseDicom(
      readFileSync(join(corpus.dir, 'multiframe.htj2k.dcm')),
      'multiframe.htj2k.dcm',
    );
    const fragments = (source.pixelData.fragments ?? []).flatMap((f) => {
      const bytes = source.dataSet.byteArray.subarray(f.position, f.position + f.length);
      const cut = Math.floor(bytes.length / 2) & ~1;
      return [bytes.subarray(0, cut), bytes.subarray(cut)];
    });
    const split = writeEncapsulated(o, '1.2.840.10008.1.2.4.201', fragments);
    const parsed = parseDicom(split, 'split.dcm');
    expect(parsed.pixelData.fragments).toHaveLength(6);
    for (let f = 0; f < 3; f++) {
      expect(storedValuesSha256((await decodeFrame(parsed, f)).data)).toBe(
        storedValuesSha256((await decodeFrame(source, f)).data),
      );
    }
  });

  it('finds multi-fragment frames through the Extended Offset Table', async () => {
    const o = ORIGINALS.find((x) => x.name === 'multiframe')!;
    const source = parseDicom(
      readFileSync(join(corpus.dir, 'multiframe.htj2k.dcm')),
      'multiframe.htj2k.dcm',
    );
    const frames = (source.pixelData.fragments ?? []).map((f) =>
      source.dataSet.byteArray.subarray(f.position, f.position + f.length),
    );
    // each frame in three fragments, the first of which does not start a codestream marker we could find by walking
    const fragments = frames.flatMap((bytes) => {
      const third = Math.floor(bytes.length / 3) & ~1;
      return [
        bytes.subarray(0, third),
        bytes.subarray(third, 2 * third),
        bytes.subarray(2 * third),
      ];
    });
    const offsets: number[] = [];
    let at = 0;
    fragments.forEach((fragment, i) => {
      if (i % 3 === 0) offsets.push(at);
      at += 8 + fragment.length + (fragment.length % 2);
    });
    const u64 = (values: number[]): Uint8Array =>
      new Uint8Array(BigUint64Array.from(values.map(BigInt)).buffer);
    const file = writeEncapsulated(o, '1.2.840.10008.1.2.4.201', fragments, [
      { tag: 0x7fe00001, vr: 'OV', value: u64(offsets) },
      { tag: 0x7fe00002, vr: 'OV', value: u64(frames.map((f) => f.length)) },
    ]);
    const parsed = parseDicom(file, 'eot.dcm');
    expect(parsed.extendedOffsets).toEqual(offsets);
    for (let f = 0; f < 3; f++) {
      expect(storedValuesSha256((await decodeFrame(parsed, f)).data)).toBe(
        storedValuesSha256((await decodeFrame(source, f)).data),
      );
    }
  });
});
