import type { Fragment } from 'dicom-parser';
import { invalidDicom, nativeSamplesPerFrame } from './parse';
import type { ParsedDicom } from './parse';

/** One frame of native pixel data: its bytes, and for 1-bit data the bit where the frame starts in bytes[0]. */
export interface NativeFrame {
  bytes: Uint8Array;
  bitOffset: number;
}

/** Samples in one frame (rows x columns x samples per pixel). */
export function frameSampleCount(parsed: ParsedDicom): number {
  const h = parsed.header;
  return h.rows * h.columns * h.samplesPerPixel;
}

function checkFrameIndex(parsed: ParsedDicom, frameIndex: number): void {
  if (!(
    Number.isInteger(frameIndex) &&
    frameIndex >= 0 &&
    frameIndex < parsed.header.numberOfFrames
  )) {
    throw invalidDicom(
      parsed.source,
      `frame ${frameIndex} does not exist (the image has ${parsed.header.numberOfFrames})`,
    );
  }
}

/** The bytes of one native (uncompressed) frame; 1-bit frames are packed without padding (PS3.5 8.1.1). */
export function nativeFrame(parsed: ParsedDicom, frameIndex: number): NativeFrame {
  checkFrameIndex(parsed, frameIndex);
  const samples = nativeSamplesPerFrame(parsed.header);
  const start = parsed.pixelData.dataOffset;
  const all = parsed.dataSet.byteArray;
  if (parsed.header.bitsAllocated === 1) {
    const firstBit = frameIndex * samples;
    const from = start + Math.floor(firstBit / 8);
    const to = start + Math.ceil((firstBit + samples) / 8);
    return { bytes: all.subarray(from, to), bitOffset: firstBit % 8 };
  }
  const frameBytes = samples * (parsed.header.bitsAllocated / 8);
  const from = start + frameIndex * frameBytes;
  return { bytes: all.subarray(from, from + frameBytes), bitOffset: 0 };
}

/** Does this fragment begin a JPEG / JPEG-LS (SOI) or JPEG 2000 / HTJ2K (SOC) codestream? */
function startsCodestream(bytes: Uint8Array, fragment: Fragment): boolean {
  const a = bytes[fragment.position];
  const b = bytes[fragment.position + 1];
  return a === 0xff && (b === 0xd8 || b === 0x4f);
}

/** Groups fragment indices by frame using offsets of each frame's first fragment item. */
function groupByOffsets(parsed: ParsedDicom, fragments: Fragment[], offsets: number[]): number[][] {
  const frames = parsed.header.numberOfFrames;
  if (offsets.length !== frames) {
    throw invalidDicom(
      parsed.source,
      `offset table has ${offsets.length} entries for ${frames} frames`,
    );
  }
  const starts = new Set(fragments.map((f) => f.offset));
  offsets.forEach((offset, k) => {
    if (!starts.has(offset) || (k > 0 && offset <= offsets[k - 1]!)) {
      throw invalidDicom(
        parsed.source,
        'offset table does not point at increasing fragment boundaries',
      );
    }
  });
  const groups: number[][] = offsets.map(() => []);
  let frame = 0;
  for (let i = 0; i < fragments.length; i++) {
    const offset = fragments[i]!.offset;
    if (offset < offsets[0]!) continue; // fragments before the first frame carry no frame data
    while (frame + 1 < frames && offset >= offsets[frame + 1]!) frame++;
    groups[frame]!.push(i);
  }
  return groups;
}

/** Splits fragments into frames where a new codestream begins (used when there is no offset table). */
function groupByCodestreamStarts(parsed: ParsedDicom, fragments: Fragment[]): number[][] {
  const bytes = parsed.dataSet.byteArray;
  const groups: number[][] = [];
  fragments.forEach((fragment, i) => {
    if (groups.length === 0 || startsCodestream(bytes, fragment)) groups.push([i]);
    else groups[groups.length - 1]!.push(i);
  });
  if (groups.length !== parsed.header.numberOfFrames) {
    throw invalidDicom(
      parsed.source,
      `found ${groups.length} encoded frames in ${fragments.length} fragments, the header says ${parsed.header.numberOfFrames}`,
    );
  }
  return groups;
}

function fragmentGroups(parsed: ParsedDicom): number[][] {
  const fragments = parsed.pixelData.fragments ?? [];
  const frames = parsed.header.numberOfFrames;
  if (parsed.extendedOffsets) return groupByOffsets(parsed, fragments, parsed.extendedOffsets);
  const bot = parsed.pixelData.basicOffsetTable ?? [];
  if (bot.length > 0) return groupByOffsets(parsed, fragments, bot);
  if (frames === 1) return [fragments.map((_, i) => i)];
  if (fragments.length === frames) return fragments.map((_, i) => [i]);
  if (parsed.transferSyntax.pixelEncoding === 'rle') {
    throw invalidDicom(
      parsed.source,
      `RLE needs one fragment per frame: ${fragments.length} fragments for ${frames} frames`,
    );
  }
  return groupByCodestreamStarts(parsed, fragments);
}

/**
 * The encoded bytes of one frame of encapsulated pixel data (PS3.5 A.4): the
 * frame's fragments, found through the Extended Offset Table, the Basic Offset
 * Table, one fragment per frame, or by walking fragments for codestream starts.
 * A single-fragment frame is returned as a view, several are concatenated.
 */
export function encapsulatedFrame(parsed: ParsedDicom, frameIndex: number): Uint8Array {
  checkFrameIndex(parsed, frameIndex);
  const fragments = parsed.pixelData.fragments ?? [];
  const bytes = parsed.dataSet.byteArray;
  const group = fragmentGroups(parsed)[frameIndex]!;
  const parts = group.map((i) => {
    const f = fragments[i]!;
    if (f.position < 0 || f.position + f.length > bytes.length) {
      throw invalidDicom(parsed.source, `fragment ${i} extends beyond the end of the file`);
    }
    return bytes.subarray(f.position, f.position + f.length);
  });
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
