import type { DataSet, Element } from 'dicom-parser';
import { NormscopeError } from '../api/errors';
import { dicomParser } from './dicom-parser-module';
import { inflateRawCapped } from './inflate';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  findTransferSyntax,
  transferSyntaxName,
} from './transfer-syntax';
import type { TransferSyntax } from './transfer-syntax';
import { readHeaderSummary } from './header';
import type { DicomHeader } from './header';

const PIXEL_DATA_TAG = 'x7fe00010';
const EXTENDED_OFFSET_TABLE_TAG = 'x7fe00001';
const TRANSFER_SYNTAX_TAG = 'x00020010';

export interface ParseLimits {
  /** a deflated dataset may not inflate to more than this (bytes) */
  maxInflatedBytes: number;
  /** Rows x Columns x frames x samples x bytes per sample may not exceed this */
  maxPixelBytes: number;
  /** sequences nested deeper than this are refused */
  maxSequenceDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxPixelBytes: 2 * 1024 * 1024 * 1024,
  maxSequenceDepth: 64,
};

/** A parsed dataset of any kind (image or not), e.g. a DICOMDIR. */
export interface ParsedDataset {
  /** what the file is called in messages (a path or a name, never a UID) */
  source: string;
  dataSet: DataSet;
  transferSyntax: TransferSyntax;
  /** whether the file had a Part 10 preamble and File Meta group */
  hasFileMeta: boolean;
}

/** A parsed image: the dataset, its header summary and where its pixels are. */
export interface ParsedDicom extends ParsedDataset {
  header: DicomHeader;
  pixelData: Element;
  /** Extended Offset Table (7FE0,0001) when present: byte offset of each frame's first fragment item */
  extendedOffsets?: number[];
}

/** The error every parse failure becomes: it names the file and the reason. */
export function invalidDicom(source: string, reason: string): NormscopeError {
  return new NormscopeError('InvalidRequest', `${source}: ${reason}`);
}

const VALUE_REPRESENTATIONS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);

/** Executable headers a preamble must not carry: a file that is both a program and a DICOM image is refused. */
const EXECUTABLE_MAGICS: ReadonlyArray<{ name: string; bytes: readonly number[] }> = [
  { name: 'Windows PE (MZ)', bytes: [0x4d, 0x5a] },
  { name: 'ELF', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'Mach-O', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { name: 'Mach-O', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { name: 'script (#!)', bytes: [0x23, 0x21] },
];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

function hasPart10Prefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && startsWith(bytes, [0x44, 0x49, 0x43, 0x4d], 128);
}

/**
 * Guesses the encoding of a dataset stored without preamble and File Meta
 * (PS3.10 7.1 allows such "raw" files in practice): the first element's group
 * must be a low group number, and a VR at bytes 4-5 means explicit VR.
 * Returns undefined when the bytes do not look like a dataset at all.
 */
function detectRawSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0]! | (bytes[1]! << 8);
  if (
    group !== 0x0008 &&
    group !== 0x0002 &&
    group !== 0x0004 &&
    group !== 0x0010 &&
    group !== 0x0018 &&
    group !== 0x0020 &&
    group !== 0x0028
  ) {
    return undefined;
  }
  const vr = String.fromCharCode(bytes[4]!, bytes[5]!);
  return VALUE_REPRESENTATIONS.has(vr) ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
}

/** Raw files that begin with the File Meta group get a synthetic preamble so dicom-parser reads the meta group. */
function withSyntheticPreamble(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 132);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(bytes, 132);
  return out;
}

/** Extended Offset Table (7FE0,0001) and its lengths (7FE0,0002), explicit VR little endian, VR OV. */
const EXTENDED_OFFSET_HEADERS = [
  Buffer.from([0xe0, 0x7f, 0x01, 0x00, 0x4f, 0x56, 0x00, 0x00]),
  Buffer.from([0xe0, 0x7f, 0x02, 0x00, 0x4f, 0x56, 0x00, 0x00]),
];

/**
 * dicom-parser 1.8 does not know the VR OV (it reads a 2-byte length and
 * derails), yet OV is how the Extended Offset Table is encoded. OB has the
 * same layout (2 reserved bytes, 4-byte length), so those two element headers
 * are relabelled OB in a copy; the table is read from its raw bytes anyway.
 */
function relabelExtendedOffsetTable(bytes: Uint8Array): Uint8Array {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const positions = EXTENDED_OFFSET_HEADERS.map((header) => view.indexOf(header)).filter(
    (at) => at >= 0,
  );
  if (positions.length === 0) return bytes;
  const copy = bytes.slice();
  for (const at of positions) copy.set([0x4f, 0x42], at + 4);
  return copy;
}

/** dicom-parser throws strings, Errors, or `{ exception, dataSet }`; this finds the message. */
function describeThrown(thrown: unknown): string {
  if (thrown instanceof RangeError) return 'the dataset is nested too deeply or malformed';
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown !== null && typeof thrown === 'object' && 'exception' in thrown) {
    return describeThrown((thrown as { exception: unknown }).exception);
  }
  return String(thrown);
}

function explainParserMessage(message: string): string {
  if (/overrun|past end|beyond|exceeds/i.test(message)) {
    return `truncated file or an element length beyond the end of the file (${message})`;
  }
  return `malformed dataset (${message})`;
}

function checkSequenceDepth(source: string, dataSet: DataSet, maxDepth: number, depth = 0): void {
  for (const element of Object.values(dataSet.elements)) {
    if (!element.items) continue;
    if (depth + 1 > maxDepth) {
      throw invalidDicom(source, `sequences are nested deeper than ${maxDepth} levels`);
    }
    for (const item of element.items) {
      if (item.dataSet) checkSequenceDepth(source, item.dataSet, maxDepth, depth + 1);
    }
  }
}

/**
 * Quick structural check of the bytes before handing them to dicom-parser, so that
 * non-DICOM input and deeply nested sequences (which recurse in the parser) fail
 * with a clear reason instead of deep inside a third-party stack.
 */
function refuseExecutablePreamble(source: string, bytes: Uint8Array): void {
  for (const magic of EXECUTABLE_MAGICS) {
    if (startsWith(bytes, magic.bytes)) {
      throw invalidDicom(
        source,
        `the preamble holds an executable header (${magic.name}); such files are refused`,
      );
    }
  }
}

/**
 * Parses a DICOM file of any kind: Part 10 with File Meta, or a raw dataset
 * (implicit or explicit VR little endian, detected). Deflated datasets are
 * inflated under `limits.maxInflatedBytes`. Reading stops at `untilTag` when given
 * (e.g. the pixel data tag, to read a header without touching pixels).
 * Throws NormscopeError('InvalidRequest' | 'Unavailable') naming `source`.
 */
export function parseDataset(
  fileBytes: Uint8Array,
  source: string,
  options: { limits?: Partial<ParseLimits>; untilTag?: string } = {},
): ParsedDataset {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
  // a plain Uint8Array view: Node Buffers share pools and their slice() does not copy
  const bytes = new Uint8Array(fileBytes.buffer, fileBytes.byteOffset, fileBytes.byteLength);
  let input = bytes;
  let rawSyntax: string | undefined;
  const part10 = hasPart10Prefix(bytes);
  if (part10) {
    refuseExecutablePreamble(source, bytes);
  } else {
    rawSyntax = detectRawSyntax(bytes);
    if (rawSyntax === undefined)
      throw invalidDicom(source, 'not a DICOM file (no DICM prefix and no recognisable dataset)');
    if (bytes[0] === 0x02 && bytes[1] === 0x00) {
      input = withSyntheticPreamble(bytes);
      rawSyntax = undefined;
    }
  }

  input = relabelExtendedOffsetTable(input);
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(input, {
      ...(rawSyntax === undefined ? {} : { TransferSyntaxUID: rawSyntax }),
      ...(options.untilTag === undefined ? {} : { untilTag: options.untilTag }),
      inflater: (whole: Uint8Array, position: number) => {
        const inflated = inflateRawCapped(whole.subarray(position), limits.maxInflatedBytes);
        const full = new Uint8Array(position + inflated.length);
        full.set(whole.subarray(0, position), 0);
        full.set(inflated, position);
        return full;
      },
    } as Parameters<typeof dicomParser.parseDicom>[1]);
  } catch (thrown) {
    if (thrown instanceof NormscopeError) throw thrown;
    const message = describeThrown(thrown);
    if (/inflates beyond the cap|deflate/i.test(message)) throw invalidDicom(source, message);
    if (/missing required meta header attribute 0002,0010/.test(message)) {
      throw invalidDicom(source, 'the File Meta group has no Transfer Syntax UID (0002,0010)');
    }
    throw invalidDicom(source, explainParserMessage(message));
  }

  checkSequenceDepth(source, dataSet, limits.maxSequenceDepth);
  const uid = (rawSyntax ?? readTransferSyntaxUid(dataSet) ?? '').replace(/\0/g, '').trim();
  if (uid === '') throw invalidDicom(source, 'no Transfer Syntax UID');
  const transferSyntax = findTransferSyntax(uid);
  if (!transferSyntax) {
    throw new NormscopeError(
      'Unavailable',
      `${source}: unsupported transfer syntax ${uid} (${transferSyntaxName(uid)})`,
    );
  }
  return { source, dataSet, transferSyntax, hasFileMeta: part10 || rawSyntax === undefined };
}

function readTransferSyntaxUid(dataSet: DataSet): string | undefined {
  const element = dataSet.elements[TRANSFER_SYNTAX_TAG] as
    (Element & { Value?: string }) | undefined;
  if (element?.Value !== undefined) return element.Value;
  return dataSet.string(TRANSFER_SYNTAX_TAG);
}

function readExtendedOffsets(source: string, dataSet: DataSet): number[] | undefined {
  const element = dataSet.elements[EXTENDED_OFFSET_TABLE_TAG];
  if (!element || element.length === 0) return undefined;
  if (element.length % 8 !== 0)
    throw invalidDicom(source, 'Extended Offset Table length is not a multiple of 8');
  const view = new DataView(
    dataSet.byteArray.buffer,
    dataSet.byteArray.byteOffset + element.dataOffset,
    element.length,
  );
  const offsets: number[] = [];
  for (let at = 0; at < element.length; at += 8) {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw invalidDicom(source, 'Extended Offset Table entry out of range');
    offsets.push(Number(value));
  }
  return offsets;
}

/** A parsed image header: read up to the pixel data, checked, without the pixels. */
export interface ParsedHeader extends ParsedDataset {
  header: DicomHeader;
  pixelData: Element;
}

function summarise(parsed: ParsedDataset): DicomHeader {
  try {
    return readHeaderSummary(parsed.dataSet, parsed.transferSyntax);
  } catch (thrown) {
    // dicom-parser reads values lazily, so a value that runs past the buffer throws only now
    throw invalidDicom(parsed.source, explainParserMessage(describeThrown(thrown)));
  }
}

/**
 * The image checks shared by full and header-only parsing: pixel data present,
 * geometry consistent and under the cap, and native pixel data at least as long
 * as all frames need (`available`: bytes from the pixel data's value to the end of the data).
 */
function checkImage(
  parsed: ParsedDataset,
  header: DicomHeader,
  limits: ParseLimits,
  available: (pixelData: Element) => number,
): Element {
  const source = parsed.source;
  const pixelData = parsed.dataSet.elements[PIXEL_DATA_TAG];
  if (!pixelData) throw invalidDicom(source, 'no pixel data (7FE0,0010): not an image');
  checkImageGeometry(source, header, limits.maxPixelBytes);
  if (parsed.transferSyntax.pixelEncoding === 'native') {
    const expected = nativePixelBytes(header);
    const declared = pixelData.hadUndefinedLength ? Infinity : pixelData.length;
    const present = Math.min(declared, available(pixelData));
    if (present < expected)
      throw invalidDicom(source, `pixel data too short: ${present} bytes for ${expected} expected`);
  }
  return pixelData;
}

/**
 * Parses a DICOM image: everything `parseDataset` does, then a header summary
 * and the checks that make decoding safe: pixel data present, dimensions and
 * bit depths consistent, the pixel byte count free of overflow and under
 * `limits.maxPixelBytes`, native pixel data long enough for every frame.
 */
export function parseDicom(
  bytes: Uint8Array,
  source: string,
  options: { limits?: Partial<ParseLimits> } = {},
): ParsedDicom {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
  const parsed = parseDataset(bytes, source, { limits });
  const header = summarise(parsed);
  const pixelData = checkImage(
    parsed,
    header,
    limits,
    (element) => parsed.dataSet.byteArray.length - element.dataOffset,
  );
  if (parsed.transferSyntax.pixelEncoding === 'native') {
    if (pixelData.encapsulatedPixelData)
      throw invalidDicom(source, 'native transfer syntax but encapsulated pixel data');
  } else if (!pixelData.encapsulatedPixelData || !pixelData.fragments) {
    throw invalidDicom(source, `${parsed.transferSyntax.name} requires encapsulated pixel data`);
  } else if (pixelData.fragments.length === 0) {
    throw invalidDicom(source, 'encapsulated pixel data has no fragments');
  }
  const extendedOffsets = readExtendedOffsets(source, parsed.dataSet);
  return { ...parsed, header, pixelData, ...(extendedOffsets ? { extendedOffsets } : {}) };
}

/**
 * Parses an image's header only, from the first bytes of a file of `fileSize`
 * bytes: stops at the pixel data, runs the same checks as parseDicom, and
 * checks native pixel data against the file's size instead of reading it.
 * A deflated file must be passed whole (its dataset is one deflate stream).
 */
export function parseDicomHeader(
  head: Uint8Array,
  source: string,
  options: { fileSize: number; limits?: Partial<ParseLimits> },
): ParsedHeader {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
  const parsed = parseDataset(head, source, { limits, untilTag: PIXEL_DATA_TAG });
  const header = summarise(parsed);
  const inflated = parsed.transferSyntax.deflated;
  const pixelData = checkImage(parsed, header, limits, (element) =>
    inflated
      ? parsed.dataSet.byteArray.length - element.dataOffset
      : options.fileSize - element.dataOffset,
  );
  return { ...parsed, header, pixelData };
}

/** Bytes of native pixel data for all frames (1-bit data packs frames without padding, PS3.5 8.1.1). */
function nativePixelBytes(header: DicomHeader): number {
  const samples = nativeSamplesPerFrame(header) * header.numberOfFrames;
  return header.bitsAllocated === 1 ? Math.ceil(samples / 8) : samples * (header.bitsAllocated / 8);
}

/**
 * Samples stored per native frame. YBR_FULL_422 stores two luma samples and one
 * Cb/Cr pair per two pixels when uncompressed (PS3.3 C.7.6.3.1.2), so 2 per pixel.
 */
export function nativeSamplesPerFrame(header: DicomHeader): number {
  const perPixel = header.photometricInterpretation === 'YBR_FULL_422' ? 2 : header.samplesPerPixel;
  return header.rows * header.columns * perPixel;
}

const COLOUR_PHOTOMETRICS = new Set([
  'RGB',
  'YBR_FULL',
  'YBR_FULL_422',
  'YBR_RCT',
  'YBR_ICT',
  'YBR_PARTIAL_420',
]);
const GREY_PHOTOMETRICS = new Set(['MONOCHROME1', 'MONOCHROME2', 'PALETTE COLOR']);

function checkImageGeometry(source: string, h: DicomHeader, maxPixelBytes: number): void {
  if (!(h.rows > 0 && h.columns > 0))
    throw invalidDicom(source, `invalid image size ${h.rows} x ${h.columns}`);
  if (!(Number.isInteger(h.numberOfFrames) && h.numberOfFrames >= 1)) {
    throw invalidDicom(source, `invalid Number of Frames ${h.numberOfFrames}`);
  }
  if (h.samplesPerPixel !== 1 && h.samplesPerPixel !== 3) {
    throw invalidDicom(source, `unsupported Samples per Pixel ${h.samplesPerPixel}`);
  }
  const photometric = h.photometricInterpretation;
  const expectedSamples = COLOUR_PHOTOMETRICS.has(photometric)
    ? 3
    : GREY_PHOTOMETRICS.has(photometric)
      ? 1
      : 0;
  if (expectedSamples === 0)
    throw invalidDicom(source, `unsupported Photometric Interpretation '${photometric}'`);
  if (expectedSamples !== h.samplesPerPixel) {
    throw invalidDicom(
      source,
      `${photometric} needs ${expectedSamples} samples per pixel, the header says ${h.samplesPerPixel}`,
    );
  }
  if (![1, 8, 16, 32].includes(h.bitsAllocated))
    throw invalidDicom(source, `unsupported Bits Allocated ${h.bitsAllocated}`);
  if (!(h.bitsStored >= 1 && h.bitsStored <= h.bitsAllocated)) {
    throw invalidDicom(
      source,
      `Bits Stored ${h.bitsStored} is not within 1..Bits Allocated (${h.bitsAllocated})`,
    );
  }
  if (!(h.highBit < h.bitsAllocated && h.highBit >= h.bitsStored - 1)) {
    throw invalidDicom(
      source,
      `High Bit ${h.highBit} is inconsistent with Bits Allocated ${h.bitsAllocated} and Bits Stored ${h.bitsStored}`,
    );
  }
  if (h.pixelRepresentation !== 0 && h.pixelRepresentation !== 1) {
    throw invalidDicom(source, `invalid Pixel Representation ${h.pixelRepresentation}`);
  }
  if (h.bitsAllocated === 1 && h.samplesPerPixel !== 1)
    throw invalidDicom(source, '1-bit pixel data must have one sample per pixel');
  const bytes = nativePixelBytes(h);
  if (!Number.isSafeInteger(bytes) || bytes > maxPixelBytes) {
    throw invalidDicom(
      source,
      `image too large: ${h.rows} x ${h.columns} x ${h.numberOfFrames} frames x ${h.samplesPerPixel} samples x ${h.bitsAllocated} bits exceeds the cap of ${maxPixelBytes} bytes`,
    );
  }
}
