import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { decodeFrame } from './decode';
import type { StoredValues } from './decode';
import type { DicomHeader } from './header';
import { parseDicom } from './parse';

/** Statistics of one decoded frame's stored values (before the modality LUT). */
export interface FrameStats {
  frame: number;
  /** natural type of the values hashed: uint8, int8, uint16, int16, int32 or uint32 */
  type: string;
  /** samples after decoding: RGB for JPEG-decoded colour, see DecodedFrame */
  photometric: string;
  min: number;
  max: number;
  mean: number;
  /** sha256 (hex) of the stored values as a little-endian array of `type`, colour interleaved */
  sha256: string;
}

/** The header fields `dicom info` shows: everything but identifiers of the patient and the visit, which are never printed. */
export type InfoHeader = Omit<
  DicomHeader,
  'patientName' | 'patientId' | 'patientBirthDate' | 'accessionNumber'
>;

export interface DicomInfo {
  file: string;
  header: InfoHeader;
  frames: FrameStats[];
}

const TYPE_NAMES = new Map<unknown, string>([
  [Uint8Array, 'uint8'],
  [Int8Array, 'int8'],
  [Uint16Array, 'uint16'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
]);

/** The values' bytes in little-endian order, whatever the host's byte order. */
function littleEndianBytes(values: StoredValues): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (endianness() === 'LE' || values.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const width = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += width) {
    for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b]!;
  }
  return out;
}

/** sha256 (hex) of stored values as a little-endian array of their natural type. */
export function storedValuesSha256(values: StoredValues): string {
  return createHash('sha256').update(littleEndianBytes(values)).digest('hex');
}

/** Min, max and mean of stored values plus their hash; an empty frame has NaN statistics. */
export function frameStats(frame: number, values: StoredValues, photometric: string): FrameStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return {
    frame,
    type: TYPE_NAMES.get(values.constructor) ?? 'unknown',
    photometric,
    min: values.length ? min : NaN,
    max: values.length ? max : NaN,
    mean: values.length ? sum / values.length : NaN,
    sha256: storedValuesSha256(values),
  };
}

/**
 * What the importer sees in one file: the header summary (without patient
 * identifiers) and every frame decoded, with statistics and a hash of its
 * stored values. Throws the NormscopeError of parsing or decoding.
 */
export async function dicomInfo(bytes: Uint8Array, file: string): Promise<DicomInfo> {
  const parsed = parseDicom(bytes, file);
  const frames: FrameStats[] = [];
  for (let f = 0; f < parsed.header.numberOfFrames; f++) {
    const decoded = await decodeFrame(parsed, f);
    frames.push(frameStats(f, decoded.data, decoded.photometric));
  }
  const {
    patientName: _name,
    patientId: _id,
    patientBirthDate: _birth,
    accessionNumber: _accession,
    ...header
  } = parsed.header;
  return { file, header, frames };
}

/** A readable rendering of `dicomInfo` for the terminal. */
export function formatDicomInfo(info: DicomInfo): string {
  const h = info.header;
  const lines = [
    info.file,
    `  transfer syntax   ${h.transferSyntaxUid} (${h.transferSyntaxName})`,
    `  SOP class         ${h.sopClassUid}`,
    `  modality          ${h.modality || '-'}`,
    `  size              ${h.columns} x ${h.rows}, ${h.numberOfFrames} frame(s), ${h.samplesPerPixel} sample(s) per pixel`,
    `  photometric       ${h.photometricInterpretation}${h.samplesPerPixel === 3 ? `, planar configuration ${h.planarConfiguration}` : ''}`,
    `  bits              allocated ${h.bitsAllocated}, stored ${h.bitsStored}, high bit ${h.highBit}, ${h.pixelRepresentation === 1 ? 'signed' : 'unsigned'}`,
    `  rescale           slope ${h.rescaleSlope}, intercept ${h.rescaleIntercept}${h.rescaleType ? ` (${h.rescaleType})` : ''}`,
  ];
  if (h.windowCenter !== undefined && h.windowWidth !== undefined)
    lines.push(`  window            centre ${h.windowCenter}, width ${h.windowWidth}`);
  for (const f of info.frames) {
    lines.push(
      `  frame ${f.frame}: ${f.type} ${f.photometric} min ${f.min} max ${f.max} mean ${f.mean.toFixed(3)} sha256 ${f.sha256}`,
    );
  }
  return lines.join('\n');
}
