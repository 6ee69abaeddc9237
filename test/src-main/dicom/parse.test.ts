import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NormscopeError } from '../../../src-main/api/errors';
import { decodeFrame } from '../../../src-main/dicom/decode';
import { parseDataset, parseDicom } from '../../../src-main/dicom/parse';
import { encodeElements, writePart10 } from './corpus/write-dicom';
import type { DicomItem } from './corpus/write-dicom';

const SC = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

function imageElements(overrides: Record<number, DicomItem | null> = {}): DicomItem[] {
  const base: DicomItem[] = [
    { tag: 0x00080016, vr: 'UI', value: SC },
    { tag: 0x00080018, vr: 'UI', value: '1.2.3.4' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.3.1' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.3.2' },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: [2] },
    { tag: 0x00280011, vr: 'US', value: [2] },
    { tag: 0x00280100, vr: 'US', value: [8] },
    { tag: 0x00280101, vr: 'US', value: [8] },
    { tag: 0x00280102, vr: 'US', value: [7] },
    { tag: 0x00280103, vr: 'US', value: [0] },
    { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([1, 2, 3, 4]) },
  ];
  const kept = base.filter((e) => !(e.tag in overrides));
  const added = Object.values(overrides).filter((e): e is DicomItem => e !== null);
  return [...kept, ...added];
}

function image(
  overrides: Record<number, DicomItem | null> = {},
  transferSyntax = EXPLICIT_LE,
): Uint8Array {
  return writePart10(imageElements(overrides), transferSyntax, SC, '1.2.3.4');
}

function failure(run: () => unknown): NormscopeError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(NormscopeError);
    return err as NormscopeError;
  }
  throw new Error('expected a NormscopeError');
}

describe('parseDicom refuses bad input with a named reason', () => {
  it('accepts the well-formed baseline image', async () => {
    const parsed = parseDicom(image(), 'ok.dcm');
    expect(Array.from((await decodeFrame(parsed, 0)).data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses files that are not DICOM, naming the file', () => {
    const error = failure(() =>
      parseDicom(new TextEncoder().encode('just some text, definitely not an image'), 'notes.txt'),
    );
    expect(error.name).toBe('InvalidRequest');
    expect(error.message).toMatch(/^notes\.txt: not a DICOM file/);
  });

  it('refuses a preamble holding an executable header', () => {
    const bytes = image();
    bytes.set([0x4d, 0x5a, 0x90, 0x00], 0);
    expect(failure(() => parseDicom(bytes, 'poly.dcm')).message).toMatch(
      /executable header \(Windows PE/,
    );
  });

  it('refuses a truncated file and an element length beyond the end of the file', () => {
    const bytes = image();
    expect(
      failure(() => parseDicom(bytes.subarray(0, bytes.length - 40), 'cut.dcm')).message,
    ).toMatch(/cut\.dcm: /);
    const huge = image({ 0x00081030: { tag: 0x00081030, vr: 'UT', value: 'study' } });
    const at = findTag(huge, 0x0008, 0x1030);
    new DataView(huge.buffer).setUint32(at + 8, 0x7ffffff0, true);
    expect(failure(() => parseDicom(huge, 'long.dcm')).message).toMatch(
      /long\.dcm: truncated file or an element length beyond the end/,
    );
  });

  it('refuses sequences nested deeper than 64 and accepts 64', () => {
    const nested = (depth: number): DicomItem => {
      let item: DicomItem = {
        tag: 0x00081115,
        vr: 'SQ',
        value: [[{ tag: 0x00081150, vr: 'UI', value: '1.2' }]],
      };
      for (let d = 1; d < depth; d++) item = { tag: 0x00081115, vr: 'SQ', value: [[item]] };
      return item;
    };
    expect(parseDicom(image({ 0x00081115: nested(64) }), 'deep64.dcm').header.rows).toBe(2);
    expect(
      failure(() => parseDicom(image({ 0x00081115: nested(65) }), 'deep65.dcm')).message,
    ).toMatch(/nested deeper than 64/);
  });

  it('stops inflating a deflate bomb at the cap', () => {
    const dataset = encodeElements([
      ...imageElements(),
      { tag: 0x00091010, vr: 'OB', value: new Uint8Array(8 * 1024 * 1024) },
    ]);
    const file = writePart10([], '1.2.840.10008.1.2.1.99', SC, '1.2.3.4');
    const bomb = new Uint8Array([...file, ...deflateSync(dataset)]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = failure(() =>
      parseDicom(bomb, 'bomb.dcm', { limits: { maxInflatedBytes: 1024 * 1024 } }),
    );
    expect(error.message).toMatch(
      /bomb\.dcm: deflated dataset inflates beyond the cap of 1048576 bytes/,
    );
    expect(parseDicom(bomb, 'bomb.dcm').header.rows).toBe(2);
  });

  it('checks dimensions and bit depths before touching pixels', () => {
    const dims = {
      0x00280010: { tag: 0x00280010, vr: 'US', value: [65535] },
      0x00280011: { tag: 0x00280011, vr: 'US', value: [65535] },
    };
    const frames = { tag: 0x00280008, vr: 'IS', value: '2000000000' };
    expect(
      failure(() => parseDicom(image({ ...dims, 0x00280008: frames }), 'big.dcm')).message,
    ).toMatch(/image too large/);
    expect(
      failure(() =>
        parseDicom(image({ 0x00280102: { tag: 0x00280102, vr: 'US', value: [8] } }), 'hb.dcm'),
      ).message,
    ).toMatch(/High Bit 8/);
    expect(
      failure(() =>
        parseDicom(image({ 0x00280101: { tag: 0x00280101, vr: 'US', value: [9] } }), 'bs.dcm'),
      ).message,
    ).toMatch(/Bits Stored 9/);
    expect(
      failure(() =>
        parseDicom(image({ 0x00280010: { tag: 0x00280010, vr: 'US', value: [0] } }), 'zero.dcm'),
      ).message,
    ).toMatch(/invalid image size/);
  });

  it('refuses missing and short pixel data', () => {
    expect(failure(() => parseDicom(image({ 0x7fe00010: null }), 'sr.dcm')).message).toMatch(
      /sr\.dcm: no pixel data/,
    );
    const short = image({
      0x7fe00010: { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([1, 2]) },
    });
    expect(failure(() => parseDicom(short, 'short.dcm')).message).toMatch(
      /pixel data too short: 2 bytes for 4 expected/,
    );
  });

  it('names an unsupported transfer syntax and says it is unavailable', () => {
    const error = failure(() => parseDicom(image({}, '1.2.840.10008.1.2.4.100'), 'video.dcm'));
    expect(error.name).toBe('Unavailable');
    expect(error.message).toBe(
      'video.dcm: unsupported transfer syntax 1.2.840.10008.1.2.4.100 (MPEG2 Main Profile / Main Level)',
    );
  });

  it('reads datasets without preamble and File Meta, detecting explicit VR', () => {
    const raw = encodeElements(imageElements());
    const parsed = parseDataset(raw, 'raw.dcm');
    expect(parsed.hasFileMeta).toBe(false);
    expect(parsed.transferSyntax.uid).toBe(EXPLICIT_LE);
  });
});

describe('header summary', () => {
  it('reads enhanced multi-frame functional groups: per-frame positions, shared orientation, spacing, rescale', () => {
    const position = (z: number): DicomItem => ({
      tag: 0x00209113,
      vr: 'SQ',
      value: [[{ tag: 0x00200032, vr: 'DS', value: `-10\\-20\\${z}` }]],
    });
    const bytes = image({
      0x00280008: { tag: 0x00280008, vr: 'IS', value: '2' },
      0x7fe00010: { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(8) },
      0x52009229: {
        tag: 0x52009229,
        vr: 'SQ',
        value: [
          [
            {
              tag: 0x00209116,
              vr: 'SQ',
              value: [[{ tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\0\\-1' }]],
            },
            {
              tag: 0x00289110,
              vr: 'SQ',
              value: [
                [
                  { tag: 0x00280030, vr: 'DS', value: '0.5\\0.75' },
                  { tag: 0x00180050, vr: 'DS', value: '3' },
                ],
              ],
            },
            {
              tag: 0x00289145,
              vr: 'SQ',
              value: [
                [
                  { tag: 0x00281052, vr: 'DS', value: '-1024' },
                  { tag: 0x00281053, vr: 'DS', value: '2' },
                  { tag: 0x00281054, vr: 'LO', value: 'HU' },
                ],
              ],
            },
          ],
        ],
      },
      0x52009230: { tag: 0x52009230, vr: 'SQ', value: [[position(5)], [position(8)]] },
    });
    const h = parseDicom(bytes, 'enhanced.dcm').header;
    expect(h.numberOfFrames).toBe(2);
    expect(h.framePositions).toEqual([
      [-10, -20, 5],
      [-10, -20, 8],
    ]);
    expect(h.imagePositionPatient).toEqual([-10, -20, 5]);
    expect(h.imageOrientationPatient).toEqual([1, 0, 0, 0, 0, -1]);
    expect(h.pixelSpacing).toEqual([0.5, 0.75]);
    expect(h.sliceThickness).toBe(3);
    expect([h.rescaleSlope, h.rescaleIntercept, h.rescaleType]).toEqual([2, -1024, 'HU']);
  });
});

/** Offset of the first element with this tag in an explicit VR LE file (test helper, scans for the tag bytes). */
function findTag(bytes: Uint8Array, group: number, element: number): number {
  for (let i = 132; i < bytes.length - 4; i += 2) {
    if (
      bytes[i] === (group & 0xff) &&
      bytes[i + 1] === group >> 8 &&
      bytes[i + 2] === (element & 0xff) &&
      bytes[i + 3] === element >> 8
    )
      return i;
  }
  throw new Error('tag not found');
}
