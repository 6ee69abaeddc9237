import { NormscopeError } from '../api/errors';
import { decodeWithWasmCodec } from './codecs/emscripten';
import type { CodecOutput, JpegFrameHeader, WasmCodec } from './codecs/emscripten';
import { decodeJpegLossless } from './codecs/jpeg-lossless';
import { decodeRleFrame } from './codecs/rle';
import { encapsulatedFrame, frameSampleCount, nativeFrame } from './frames';
import type { DicomHeader } from './header';
import { invalidDicom } from './parse';
import type { ParsedDicom } from './parse';

/** Stored values in their natural type: the one Bits Allocated and Pixel Representation imply. */
export type StoredValues =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array;

/**
 * One decoded frame: `data` holds rows x columns x samplesPerPixel stored
 * values, row-major, samples interleaved (R G B R G B ...), before any
 * modality LUT. 1-bit data is unpacked to 0/1 bytes. Bits above Bits Stored
 * are cleared and signed data sign-extended from Bits Stored.
 * `photometric` says what the samples mean after decoding, which can differ
 * from the header: JPEG baseline/extended colour comes back as RGB (libjpeg
 * converts YCbCr), JPEG 2000 YBR_RCT/YBR_ICT come back as RGB (the codec
 * inverts the component transform), and native YBR_FULL_422 is upsampled to
 * full YBR_FULL samples. PALETTE COLOR values are indices (see applyPalette).
 */
export interface DecodedFrame {
  data: StoredValues;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
}

function allocateStored(h: DicomHeader, count: number): StoredValues {
  const signed = h.pixelRepresentation === 1;
  switch (h.bitsAllocated) {
    case 1:
      return new Uint8Array(count);
    case 8:
      return signed ? new Int8Array(count) : new Uint8Array(count);
    case 16:
      return signed ? new Int16Array(count) : new Uint16Array(count);
    default:
      return signed ? new Int32Array(count) : new Uint32Array(count);
  }
}

/**
 * Copies raw sample words into the stored type: shifts so High Bit is the top
 * stored bit, clears bits above Bits Stored and sign-extends signed values.
 * `rawShift` is HighBit + 1 - BitsStored for native data, 0 for codec output.
 */
type RawWords = Uint8Array | Uint16Array | Uint32Array;

/**
 * Copies raw sample words into the stored type: shifts so High Bit is the top
 * stored bit, clears bits above Bits Stored and sign-extends signed values.
 * `rawShift` is HighBit + 1 - BitsStored for native data, 0 for codec output.
 */
function storeSamples(h: DicomHeader, raw: RawWords, rawShift: number): StoredValues {
  const count = raw.length;
  const out = allocateStored(h, count);
  const bits = h.bitsStored;
  if (bits >= 32) {
    for (let i = 0; i < count; i++) out[i] = raw[i]!;
    return out;
  }
  const mask = 2 ** bits - 1;
  if (h.pixelRepresentation !== 1) {
    for (let i = 0; i < count; i++) out[i] = (raw[i]! >>> rawShift) & mask;
    return out;
  }
  const signBit = 2 ** (bits - 1);
  const range = 2 ** bits;
  for (let i = 0; i < count; i++) {
    const v = (raw[i]! >>> rawShift) & mask;
    out[i] = v >= signBit ? v - range : v;
  }
  return out;
}

/** Fills `out` from a reader: for layouts that cannot be viewed in place (big endian, unaligned, bit-packed). */
function gather<T extends RawWords>(out: T, read: (i: number) => number): T {
  for (let i = 0; i < out.length; i++) out[i] = read(i);
  return out;
}

/** 16-bit little-endian words of `bytes`, viewed in place when aligned. */
function wordsOf(bytes: Uint8Array, count: number): Uint16Array {
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return gather(new Uint16Array(count), (i) => view.getUint16(2 * i, true));
}

function interleavePlanar<T extends StoredValues>(planar: T, pixels: number): T {
  const out = planar.slice() as T;
  for (let p = 0; p < pixels; p++) {
    out[3 * p] = planar[p]!;
    out[3 * p + 1] = planar[pixels + p]!;
    out[3 * p + 2] = planar[2 * pixels + p]!;
  }
  return out;
}

/** Native YBR_FULL_422 stores Y1 Y2 Cb Cr per pixel pair; this repeats Cb/Cr for both pixels (PS3.3 C.7.6.3.1.2). */
function upsampleYbr422<T extends StoredValues>(pairs: T, pixels: number): T {
  const out = new (pairs.constructor as new (n: number) => T)(pixels * 3);
  for (let pair = 0; pair < pixels / 2; pair++) {
    const [y1, y2, cb, cr] = [
      pairs[4 * pair]!,
      pairs[4 * pair + 1]!,
      pairs[4 * pair + 2]!,
      pairs[4 * pair + 3]!,
    ];
    out.set([y1, cb, cr, y2, cb, cr], 6 * pair);
  }
  return out;
}

function decodeNative(parsed: ParsedDicom, frameIndex: number): DecodedFrame {
  const h = parsed.header;
  const { bytes, bitOffset } = nativeFrame(parsed, frameIndex);
  const pixels = h.rows * h.columns;
  const ybr422 = h.photometricInterpretation === 'YBR_FULL_422';
  if (ybr422 && h.columns % 2 !== 0)
    throw invalidDicom(parsed.source, 'uncompressed YBR_FULL_422 needs an even number of columns');
  const count = ybr422 ? pixels * 2 : pixels * h.samplesPerPixel;
  const littleEndian = !parsed.transferSyntax.bigEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let raw: RawWords;
  if (h.bitsAllocated === 1) {
    raw = gather(
      new Uint8Array(count),
      (i) => (bytes[(bitOffset + i) >> 3]! >> ((bitOffset + i) & 7)) & 1,
    );
  } else if (h.bitsAllocated === 8) {
    // Explicit VR big endian may carry 8-bit samples as OW, whose bytes are swapped in pairs (PS3.5 A.3)
    const swapped = parsed.transferSyntax.bigEndian && parsed.pixelData.vr === 'OW';
    raw = swapped ? gather(new Uint8Array(count), (i) => bytes[i ^ 1]!) : bytes.subarray(0, count);
  } else if (h.bitsAllocated === 16) {
    raw = littleEndian
      ? wordsOf(bytes, count)
      : gather(new Uint16Array(count), (i) => view.getUint16(2 * i, false));
  } else {
    raw = gather(new Uint32Array(count), (i) => view.getUint32(4 * i, littleEndian));
  }
  let data = storeSamples(h, raw, h.highBit + 1 - h.bitsStored);
  if (ybr422)
    return {
      data: upsampleYbr422(data, pixels),
      rows: h.rows,
      columns: h.columns,
      samplesPerPixel: 3,
      photometric: 'YBR_FULL',
    };
  if (h.samplesPerPixel === 3 && h.planarConfiguration === 1) data = interleavePlanar(data, pixels);
  return {
    data,
    rows: h.rows,
    columns: h.columns,
    samplesPerPixel: h.samplesPerPixel,
    photometric: h.photometricInterpretation,
  };
}

function decodeRle(parsed: ParsedDicom, frameIndex: number): DecodedFrame {
  const h = parsed.header;
  if (h.bitsAllocated === 1)
    throw new NormscopeError(
      'Unavailable',
      `${parsed.source}: RLE with 1-bit pixel data is not supported`,
    );
  const bytesPerSample = h.bitsAllocated / 8;
  const pixels = h.rows * h.columns;
  const planes = decodeRleFrame(
    encapsulatedFrame(parsed, frameIndex),
    pixels,
    h.samplesPerPixel,
    bytesPerSample,
  );
  const spp = h.samplesPerPixel;
  const raw = gather(
    bytesPerSample === 1
      ? new Uint8Array(pixels * spp)
      : bytesPerSample === 2
        ? new Uint16Array(pixels * spp)
        : new Uint32Array(pixels * spp),
    (i) => {
      const pixel = Math.floor(i / spp);
      const first = (i % spp) * bytesPerSample;
      let v = 0;
      for (let b = 0; b < bytesPerSample; b++) v = v * 256 + planes[first + b]![pixel]!;
      return v;
    },
  );
  const data = storeSamples(h, raw, 0);
  return {
    data,
    rows: h.rows,
    columns: h.columns,
    samplesPerPixel: spp,
    photometric: h.photometricInterpretation,
  };
}

/** Position of the first marker segment (0xFF then a byte `accept` takes) in a JPEG / JPEG-LS codestream, or -1. */
function findJpegMarker(bytes: Uint8Array, accept: (marker: number) => boolean): number {
  let at = 2;
  while (at + 4 < bytes.length) {
    if (bytes[at] !== 0xff) return -1;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (accept(marker)) return at;
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return -1;
}

/** The frame header of a JPEG codestream's SOFn segment (ITU T.81 B.2.2), or undefined if there is none. */
function jpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  const at = findJpegMarker(
    bytes,
    (m) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc,
  );
  if (at < 0 || at + 9 >= bytes.length) return undefined;
  return {
    precision: bytes[at + 4]!,
    rows: (bytes[at + 5]! << 8) | bytes[at + 6]!,
    columns: (bytes[at + 7]! << 8) | bytes[at + 8]!,
    components: bytes[at + 9]!,
  };
}

/**
 * Whether a colour JPEG-LS codestream codes each component in its own scan
 * (interleave mode none, T.87 C.2.3: one component in the first SOS); CharLS
 * then returns the samples planar, whatever the header's Planar Configuration says.
 */
function jpegLsIsPlanar(bytes: Uint8Array): boolean {
  const at = findJpegMarker(bytes, (m) => m === 0xda);
  return at >= 0 && bytes[at + 4] === 1;
}

function fromCodecOutput(parsed: ParsedDicom, out: CodecOutput, photometric: string): DecodedFrame {
  const h = parsed.header;
  if (out.width !== h.columns || out.height !== h.rows || out.components !== h.samplesPerPixel) {
    throw new Error(
      `codestream is ${out.width} x ${out.height} x ${out.components}, the header says ${h.columns} x ${h.rows} x ${h.samplesPerPixel}`,
    );
  }
  const count = frameSampleCount(parsed);
  const wide = out.bitsPerSample > 8;
  if (out.bytes.length < count * (wide ? 2 : 1))
    throw new Error(`codec returned ${out.bytes.length} bytes for ${count} samples`);
  const data = storeSamples(h, wide ? wordsOf(out.bytes, count) : out.bytes.subarray(0, count), 0);
  return {
    data,
    rows: h.rows,
    columns: h.columns,
    samplesPerPixel: h.samplesPerPixel,
    photometric,
  };
}

/** What the samples mean after a codec decoded them (see DecodedFrame). */
function photometricAfterCodec(h: DicomHeader, codec: WasmCodec | 'jpeg-lossless'): string {
  if (h.samplesPerPixel !== 3) return h.photometricInterpretation;
  if (codec === 'jpeg-baseline') return 'RGB';
  if (
    (codec === 'jpeg2000' || codec === 'htj2k') &&
    (h.photometricInterpretation === 'YBR_RCT' || h.photometricInterpretation === 'YBR_ICT')
  ) {
    return 'RGB';
  }
  return h.photometricInterpretation;
}

async function decodeEncapsulated(
  parsed: ParsedDicom,
  frameIndex: number,
  options: DecodeOptions,
): Promise<DecodedFrame> {
  const h = parsed.header;
  const encoding = parsed.transferSyntax.pixelEncoding;
  const encoded = encapsulatedFrame(parsed, frameIndex);
  if (encoding === 'jpeg-lossless') {
    const bytesPerSample = (jpegFrameHeader(encoded)?.precision ?? h.bitsStored) > 8 ? 2 : 1;
    const bytes = decodeJpegLossless(encoded, bytesPerSample);
    const out: CodecOutput = {
      bytes,
      width: h.columns,
      height: h.rows,
      components: h.samplesPerPixel,
      bitsPerSample: bytesPerSample * 8,
      signed: false,
    };
    return fromCodecOutput(parsed, out, photometricAfterCodec(h, 'jpeg-lossless'));
  }
  let codec: WasmCodec;
  let frame: JpegFrameHeader | undefined;
  if (encoding === 'jpeg-baseline' || encoding === 'jpeg-extended') {
    frame = jpegFrameHeader(encoded);
    if (frame !== undefined && frame.precision > 8) {
      if (frame.components !== 1) {
        throw new NormscopeError(
          'Unavailable',
          `${parsed.source}: ${frame.precision}-bit lossy JPEG with ${frame.components} components (${parsed.transferSyntax.name}) is not supported: only greyscale images are decoded at more than 8 bits`,
        );
      }
      codec = 'jpeg-12bit';
    } else {
      codec = 'jpeg-baseline';
    }
  } else if (encoding === 'jpeg-ls' || encoding === 'jpeg2000' || encoding === 'htj2k') {
    codec = encoding;
  } else {
    throw new NormscopeError(
      'Internal',
      `${parsed.source}: no decoder wired for pixel encoding ${encoding}`,
    );
  }
  const out = await decodeWithWasmCodec(codec, encoded, {
    timeoutMs: options.codecTimeoutMs,
    frame,
  });
  const decoded = fromCodecOutput(parsed, out, photometricAfterCodec(h, codec));
  if (codec === 'jpeg-ls' && h.samplesPerPixel === 3 && jpegLsIsPlanar(encoded)) {
    return { ...decoded, data: interleavePlanar(decoded.data, h.rows * h.columns) };
  }
  return decoded;
}

export interface DecodeOptions {
  /** a WASM codec that runs longer on one frame is stopped and the frame refused (default DEFAULT_CODEC_TIMEOUT_MS) */
  codecTimeoutMs?: number;
}

/**
 * Decodes one frame (0-based) of a parsed image to its stored values, for
 * every transfer syntax in transfer-syntax.ts. WASM codecs run in a worker
 * thread and load on first use.
 * Throws NormscopeError: 'InvalidRequest' for corrupt data, 'Unavailable'
 * for encodings no available decoder handles; messages name the file and frame.
 */
export async function decodeFrame(
  parsed: ParsedDicom,
  frameIndex: number,
  options: DecodeOptions = {},
): Promise<DecodedFrame> {
  try {
    switch (parsed.transferSyntax.pixelEncoding) {
      case 'native':
        return decodeNative(parsed, frameIndex);
      case 'rle':
        return decodeRle(parsed, frameIndex);
      default:
        return await decodeEncapsulated(parsed, frameIndex, options);
    }
  } catch (thrown) {
    if (thrown instanceof NormscopeError) throw thrown;
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    throw invalidDicom(
      parsed.source,
      `frame ${frameIndex}: cannot decode ${parsed.transferSyntax.name} pixel data (${reason})`,
    );
  }
}

/**
 * Modality LUT (PS3.3 C.11.1): output = stored x slope + intercept, e.g. CT
 * values to Hounsfield units. Returns a Float32Array the length of `values`.
 */
export function modalityLut(
  values: ArrayLike<number>,
  slope: number,
  intercept: number,
): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * slope + intercept;
  return out;
}
