/**
 * The uncompressed originals of the test corpus: small deterministic images
 * covering every bit depth, sign, photometric interpretation and planar
 * configuration Normscope decodes. Each knows its expected stored values.
 */
import { encapsulatedPixelData, writePart10 } from './write-dicom';
import type { DicomItem } from './write-dicom';

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const MULTIFRAME_GREY_16 = '1.2.840.10008.5.1.4.1.1.7.3';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

export interface Original {
  name: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  planar: 0 | 1;
  /** stored values of every frame, interleaved samples, frames one after another */
  expected: number[];
  /** the values as written in the file's pixel data (may carry bits above High Bit, or be planar) */
  written: number[];
  extra?: DicomItem[];
}

/** Deterministic pseudo-random integers (a 32-bit LCG), so the corpus is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A smooth gradient plus noise and a bright disc: realistic enough for lossy codecs, varied enough for hashes. */
function greyImage(
  rows: number,
  columns: number,
  frames: number,
  low: number,
  high: number,
  seed: number,
): number[] {
  const random = lcg(seed);
  const values: number[] = [];
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const t = (x + y + 3 * f) / (rows + columns + 3 * frames);
        const disc = (x - columns / 2) ** 2 + (y - rows / 2) ** 2 < (rows / 4) ** 2 ? 0.3 : 0;
        const noise = (random() - 0.5) * 0.05;
        const v = low + (high - low) * Math.min(1, Math.max(0, 0.6 * t + disc + noise + 0.05));
        values.push(Math.round(v));
      }
    }
  }
  return values;
}

function grey(
  name: string,
  bitsAllocated: number,
  bitsStored: number,
  signed: boolean,
  photometric = 'MONOCHROME2',
  frames = 1,
): Original {
  const low = signed ? -(2 ** (bitsStored - 1)) : 0;
  const high = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  const expected = greyImage(20, 24, frames, low, high, bitsStored * 7 + frames);
  // negative values are written two's-complement in Bits Allocated, so bits above High Bit are set (as scanners do)
  const written = expected.map((v) => (v < 0 ? v + 2 ** bitsAllocated : v));
  return {
    name,
    rows: 20,
    columns: 24,
    frames,
    samplesPerPixel: 1,
    photometric,
    bitsAllocated,
    bitsStored,
    signed,
    planar: 0,
    expected,
    written,
  };
}

function colour(name: string, photometric: string, planar: 0 | 1): Original {
  const rows = 16;
  const columns = 20;
  const r = greyImage(rows, columns, 1, 0, 255, 11);
  const g = greyImage(rows, columns, 1, 30, 200, 12).reverse();
  const b = greyImage(rows, columns, 1, 60, 255, 13).map((v, i) =>
    i % columns < columns / 2 ? v : 255 - v,
  );
  const expected = r.flatMap((_, i) => [r[i]!, g[i]!, b[i]!]);
  const written = planar === 0 ? expected : [...r, ...g, ...b];
  return {
    name,
    rows,
    columns,
    frames: 1,
    samplesPerPixel: 3,
    photometric,
    bitsAllocated: 8,
    bitsStored: 8,
    signed: false,
    planar,
    expected,
    written,
  };
}

function palette(): Original {
  const base = grey('palette', 8, 8, false, 'PALETTE COLOR');
  const entries = 256;
  const lut = (f: (i: number) => number): Uint16Array =>
    Uint16Array.from({ length: entries }, (_, i) => f(i));
  const descriptor = [entries, 0, 16];
  base.extra = [
    { tag: 0x00281101, vr: 'US', value: descriptor },
    { tag: 0x00281102, vr: 'US', value: descriptor },
    { tag: 0x00281103, vr: 'US', value: descriptor },
    { tag: 0x00281201, vr: 'OW', value: lut((i) => i * 257) },
    { tag: 0x00281202, vr: 'OW', value: lut((i) => (255 - i) * 257) },
    { tag: 0x00281203, vr: 'OW', value: lut((i) => ((i * 2) % 256) * 257) },
  ];
  return base;
}

function oneBit(): Original {
  // 7 x 9 pixels, 3 frames: 63 bits a frame, so frames start mid-byte (PS3.5 8.1.1)
  const random = lcg(5);
  const expected = Array.from({ length: 7 * 9 * 3 }, () => (random() < 0.4 ? 1 : 0));
  return {
    name: 'bits1',
    rows: 7,
    columns: 9,
    frames: 3,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    bitsAllocated: 1,
    bitsStored: 1,
    signed: false,
    planar: 0,
    expected,
    written: expected,
  };
}

export const ORIGINALS: readonly Original[] = [
  grey('mono8', 8, 8, false),
  grey('mono12', 16, 12, false),
  grey('mono12s', 16, 12, true),
  grey('mono16', 16, 16, false),
  grey('mono16s', 16, 16, true),
  grey('monochrome1', 16, 12, false, 'MONOCHROME1'),
  grey('multiframe', 16, 16, false, 'MONOCHROME2', 3),
  oneBit(),
  colour('rgb', 'RGB', 0),
  colour('rgbplanar', 'RGB', 1),
  colour('ybrfull', 'YBR_FULL', 0),
  palette(),
];

function pixelBytes(o: Original): Uint8Array {
  if (o.bitsAllocated === 1) {
    const out = new Uint8Array(
      Math.ceil(o.written.length / 8) + (Math.ceil(o.written.length / 8) % 2),
    );
    o.written.forEach((bit, i) => {
      out[i >> 3]! |= bit << (i & 7);
    });
    return out;
  }
  if (o.bitsAllocated === 8) return Uint8Array.from(o.written);
  return new Uint8Array(Uint16Array.from(o.written).buffer);
}

export function uidFor(o: Original, part: string): string {
  return `1.2.826.0.1.3680043.10.99.${part}.${ORIGINALS.indexOf(o) + 1}`;
}

function imageElements(o: Original): DicomItem[] {
  return [
    { tag: 0x00080016, vr: 'UI', value: o.frames > 1 ? MULTIFRAME_GREY_16 : SECONDARY_CAPTURE },
    { tag: 0x00080018, vr: 'UI', value: uidFor(o, '3') },
    { tag: 0x00080060, vr: 'CS', value: 'OT' },
    { tag: 0x00100010, vr: 'PN', value: 'Test^Corpus' },
    { tag: 0x00100020, vr: 'LO', value: 'CORPUS' },
    { tag: 0x0020000d, vr: 'UI', value: uidFor(o, '1') },
    { tag: 0x0020000e, vr: 'UI', value: uidFor(o, '2') },
    { tag: 0x00200013, vr: 'IS', value: '1' },
    { tag: 0x00280002, vr: 'US', value: [o.samplesPerPixel] },
    { tag: 0x00280004, vr: 'CS', value: o.photometric },
    ...(o.samplesPerPixel === 3 ? [{ tag: 0x00280006, vr: 'US', value: [o.planar] }] : []),
    ...(o.frames > 1 ? [{ tag: 0x00280008, vr: 'IS', value: String(o.frames) }] : []),
    { tag: 0x00280010, vr: 'US', value: [o.rows] },
    { tag: 0x00280011, vr: 'US', value: [o.columns] },
    { tag: 0x00280100, vr: 'US', value: [o.bitsAllocated] },
    { tag: 0x00280101, vr: 'US', value: [o.bitsStored] },
    { tag: 0x00280102, vr: 'US', value: [o.bitsStored - 1] },
    { tag: 0x00280103, vr: 'US', value: [o.signed ? 1 : 0] },
    ...(o.extra ?? []),
  ];
}

/** The original as an explicit VR little endian Part 10 file. */
export function writeOriginal(o: Original): Uint8Array {
  const pixels: DicomItem = {
    tag: 0x7fe00010,
    vr: o.bitsAllocated === 16 ? 'OW' : 'OB',
    value: pixelBytes(o),
  };
  return writePart10(
    [...imageElements(o), pixels],
    EXPLICIT_LE,
    o.frames > 1 ? MULTIFRAME_GREY_16 : SECONDARY_CAPTURE,
    uidFor(o, '3'),
  );
}

/**
 * The same image with its pixels already encoded by a codec the test drives
 * itself (e.g. HTJ2K): the given fragments, after an empty Basic Offset Table.
 */
export function writeEncapsulated(
  o: Original,
  transferSyntaxUid: string,
  fragments: Uint8Array[],
  extra: DicomItem[] = [],
): Uint8Array {
  const elements = [...imageElements(o).filter((e) => e.tag !== 0x7fe00010), ...extra];
  const dataset = writePart10(elements, transferSyntaxUid, SECONDARY_CAPTURE, uidFor(o, '3'));
  return new Uint8Array([...dataset, ...encapsulatedPixelData(fragments)]);
}
