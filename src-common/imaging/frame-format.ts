/**
 * The binary format in which the main process hands decoded frames and
 * anomaly maps to the window (`GET /frames/<sop>/<frame>`, `GET
 * /maps/<run>/<sop>/<frame>`): a little-endian uint32 header length, the
 * header as UTF-8 JSON, zero padding to a multiple of 8 bytes, then the values
 * little-endian. One request, no base64, and the values land in a typed array
 * without a copy.
 */

export type PixelDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'uint32' | 'float16';

export interface FrameHeader {
  rows: number;
  columns: number;
  dtype: PixelDtype;
  /** samples per pixel: 1 grey, 3 RGB (interleaved) */
  samples: number;
  /** modality LUT (PS3.3 C.11.1); 1 and 0 for maps */
  slope: number;
  intercept: number;
  /** the header's first VOI window, if any */
  window: { center: number; width: number } | null;
  /** MONOCHROME1, MONOCHROME2, RGB ...; 'MAP' for anomaly maps */
  photometric: string;
  /** [row spacing mm, column spacing mm] or null */
  spacing: [number, number] | null;
  /** anomaly maps: the image score */
  imageScore?: number;
}

export type FrameValues = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array;

const BYTES_PER_VALUE: Record<PixelDtype, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  int32: 4,
  uint32: 4,
  float16: 2,
};

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** Header + values (in the host's byte order) -> one message. */
export function encodeFrameMessage(header: FrameHeader, values: FrameValues): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = pad8(4 + json.length);
  const bytes = new Uint8Array(start + values.byteLength);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  if (littleEndianHost) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), start);
    return bytes;
  }
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  const size = BYTES_PER_VALUE[header.dtype];
  const out = new DataView(bytes.buffer, start);
  for (let i = 0; i < values.length; i++) {
    const at = i * size;
    if (size === 1) out.setUint8(at, view.getUint8(at));
    else if (size === 2) out.setUint16(at, view.getUint16(at, littleEndianHost), true);
    else out.setUint32(at, view.getUint32(at, littleEndianHost), true);
  }
  return bytes;
}

/** One message -> header and a typed array of its values (float16 maps as their Uint16 bit patterns). */
export function decodeFrameMessage(buffer: ArrayBuffer): { header: FrameHeader; values: FrameValues } {
  if (buffer.byteLength < 4) throw new RangeError('frame message shorter than its length prefix');
  const length = new DataView(buffer).getUint32(0, true);
  if (4 + length > buffer.byteLength) throw new RangeError('frame message header runs past its end');
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length))) as FrameHeader;
  const start = pad8(4 + length);
  const size = BYTES_PER_VALUE[header.dtype];
  const count = header.rows * header.columns * (header.samples || 1);
  if (start + count * size > buffer.byteLength) {
    throw new RangeError(`frame message holds fewer than the ${count} values its header announces`);
  }
  if (!littleEndianHost) throw new RangeError('big-endian hosts are not supported by the frame format');
  const values =
    header.dtype === 'uint8' ? new Uint8Array(buffer, start, count)
    : header.dtype === 'int8' ? new Int8Array(buffer, start, count)
    : header.dtype === 'uint16' || header.dtype === 'float16' ? new Uint16Array(buffer, start, count)
    : header.dtype === 'int16' ? new Int16Array(buffer, start, count)
    : header.dtype === 'int32' ? new Int32Array(buffer, start, count)
    : new Uint32Array(buffer, start, count);
  return { header, values };
}
