/**
 * A tiny test-only DICOM writer: Part 10 files in explicit VR little endian,
 * enough to make the corpus originals that dcmtk and gdcm then re-encode.
 */

export type ElementValue = string | number[] | Uint8Array | Uint16Array | DicomItem[][];
export type DicomItem = { tag: number; vr: string; value: ElementValue };

const LONG_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OW',
  'SQ',
  'UN',
  'UT',
  'UC',
  'UR',
  'OV',
  'SV',
  'UV',
]);

function padEven(bytes: Uint8Array, pad: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}

function valueBytes(vr: string, value: ElementValue): Uint8Array {
  if (typeof value === 'string')
    return padEven(new TextEncoder().encode(value), vr === 'UI' ? 0 : 0x20);
  if (value instanceof Uint8Array) return padEven(value, 0);
  if (value instanceof Uint16Array)
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (vr === 'US') return new Uint8Array(Uint16Array.from(value as number[]).buffer);
  if (vr === 'UL') return new Uint8Array(Uint32Array.from(value as number[]).buffer);
  if (vr === 'SQ') {
    const items = (value as DicomItem[][]).map((item) => {
      const body = encodeElements(item);
      return concat([header(0xfffee000, '', body.length), body]);
    });
    return concat(items);
  }
  throw new Error(`test writer cannot encode ${vr}`);
}

function header(tag: number, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr) || vr === '';
  const out = new Uint8Array(vr === '' ? 8 : long ? 12 : 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  if (vr === '') {
    view.setUint32(4, length, true);
  } else if (long) {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    view.setUint32(8, length, true);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    view.setUint16(6, length, true);
  }
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Encodes elements in tag order, explicit VR little endian. */
export function encodeElements(elements: DicomItem[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  return concat(
    sorted.flatMap((e) => {
      const body = valueBytes(e.vr, e.value);
      return [header(e.tag, e.vr, body.length), body];
    }),
  );
}

/** Encapsulated pixel data (PS3.5 A.4): an empty Basic Offset Table, one fragment per frame, a sequence delimiter. */
export function encapsulatedPixelData(frames: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [header(0x7fe00010, 'OB', 0xffffffff), header(0xfffee000, '', 0)];
  for (const frame of frames) {
    const body = padEven(frame, 0);
    parts.push(header(0xfffee000, '', body.length), body);
  }
  parts.push(header(0xfffee0dd, '', 0));
  return concat(parts);
}

/** A whole Part 10 file: preamble, DICM, File Meta group with its length, then the dataset. */
export function writePart10(
  dataset: DicomItem[],
  transferSyntaxUid: string,
  sopClassUid: string,
  sopInstanceUid: string,
  trailer?: Uint8Array,
): Uint8Array {
  const metaBody = encodeElements([
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: sopClassUid },
    { tag: 0x00020003, vr: 'UI', value: sopInstanceUid },
    { tag: 0x00020010, vr: 'UI', value: transferSyntaxUid },
    { tag: 0x00020012, vr: 'UI', value: '1.2.826.0.1.3680043.10.1' },
  ]);
  const groupLength = encodeElements([{ tag: 0x00020000, vr: 'UL', value: [metaBody.length] }]);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([
    preamble,
    groupLength,
    metaBody,
    encodeElements(dataset),
    ...(trailer ? [trailer] : []),
  ]);
}
