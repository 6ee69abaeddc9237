import type { DataSet } from 'dicom-parser';
import type { TransferSyntax } from './transfer-syntax';

export type Vec3 = [number, number, number];
/** Row direction cosines then column direction cosines (ImageOrientationPatient). */
export type Orientation = [number, number, number, number, number, number];

/**
 * What Normscope reads from a DICOM image's header. Patient fields are for the
 * worklist only: never log them. Spacing in mm, positions in patient mm (LPS).
 */
export interface DicomHeader {
  transferSyntaxUid: string;
  transferSyntaxName: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  studyDescription?: string;
  accessionNumber?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  modality: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement */
  pixelRepresentation: number;
  /** 0 interleaved (R1G1B1R2...), 1 planar (RRR...GGG...BBB...) */
  planarConfiguration: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  rescaleType?: string;
  /** first value of Window Center / Width, the default VOI */
  windowCenter?: number;
  windowWidth?: number;
  /** position of the first frame's top-left pixel centre */
  imagePositionPatient?: Vec3;
  imageOrientationPatient?: Orientation;
  /** per-frame positions of an enhanced multi-frame image (PlanePositionSequence), one per frame */
  framePositions?: Vec3[];
  /** [row spacing, column spacing] in mm */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  instanceNumber?: number;
}

const PER_FRAME_GROUPS = 'x52009230';
const SHARED_GROUPS = 'x52009229';
const PLANE_POSITION = 'x00209113';
const PLANE_ORIENTATION = 'x00209116';
const PIXEL_MEASURES = 'x00289110';
const PIXEL_VALUE_TRANSFORMATION = 'x00289145';
const FRAME_VOI_LUT = 'x00289132';

function text(ds: DataSet, tag: string): string | undefined {
  const value = ds.string(tag);
  return value === undefined || value === ''
    ? undefined
    : value.replace(/\0/g, '').trim() || undefined;
}

/** Reads US (binary) or, for malformed files that carry a string, IS. */
function unsigned(ds: DataSet, tag: string): number | undefined {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return undefined;
  if (element.length >= 2 && element.vr !== 'IS' && element.vr !== 'DS') return ds.uint16(tag);
  return ds.intString(tag);
}

function decimal(ds: DataSet, tag: string, index = 0): number | undefined {
  const value = ds.floatString(tag, index);
  return value === undefined || !Number.isFinite(value) ? undefined : value;
}

function integer(ds: DataSet, tag: string): number | undefined {
  const value = ds.intString(tag);
  return value === undefined || !Number.isFinite(value) ? undefined : value;
}

function decimals(ds: DataSet, tag: string, count: number): number[] | undefined {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = decimal(ds, tag, i);
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values;
}

function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

/** The first item of a functional group macro, in the per-frame item first, then the shared one. */
function functionalGroup(ds: DataSet, tag: string): DataSet | undefined {
  return (
    firstItem(firstItem(ds, PER_FRAME_GROUPS), tag) ?? firstItem(firstItem(ds, SHARED_GROUPS), tag)
  );
}

function framePositions(ds: DataSet): Vec3[] | undefined {
  const items = ds.elements[PER_FRAME_GROUPS]?.items;
  if (!items || items.length === 0) return undefined;
  const positions: Vec3[] = [];
  for (const item of items) {
    const plane = firstItem(item.dataSet, PLANE_POSITION);
    const position = plane && decimals(plane, 'x00200032', 3);
    if (!position) return undefined;
    positions.push(position as Vec3);
  }
  return positions;
}

/** Reads a header summary, falling back to the enhanced multi-frame functional groups (PS3.3 C.7.6.16). */
export function readHeaderSummary(ds: DataSet, transferSyntax: TransferSyntax): DicomHeader {
  const measures = functionalGroup(ds, PIXEL_MEASURES);
  const transform = functionalGroup(ds, PIXEL_VALUE_TRANSFORMATION);
  const voi = functionalGroup(ds, FRAME_VOI_LUT);
  const orientationSource = functionalGroup(ds, PLANE_ORIENTATION) ?? ds;
  const perFrame = framePositions(ds);
  const position = decimals(ds, 'x00200032', 3) ?? perFrame?.[0];
  const orientation = decimals(orientationSource, 'x00200037', 6) ?? decimals(ds, 'x00200037', 6);
  const spacing = decimals(measures ?? ds, 'x00280030', 2) ?? decimals(ds, 'x00280030', 2);
  const rescaleSource = transform ?? ds;
  const voiSource = voi ?? ds;
  const optional = {
    patientName: text(ds, 'x00100010'),
    patientId: text(ds, 'x00100020'),
    patientBirthDate: text(ds, 'x00100030'),
    patientSex: text(ds, 'x00100040'),
    studyDate: text(ds, 'x00080020'),
    studyTime: text(ds, 'x00080030'),
    studyDescription: text(ds, 'x00081030'),
    accessionNumber: text(ds, 'x00080050'),
    seriesNumber: integer(ds, 'x00200011'),
    seriesDescription: text(ds, 'x0008103e'),
    rescaleType: text(rescaleSource, 'x00281054') ?? text(ds, 'x00281054'),
    windowCenter: decimal(voiSource, 'x00281050') ?? decimal(ds, 'x00281050'),
    windowWidth: decimal(voiSource, 'x00281051') ?? decimal(ds, 'x00281051'),
    imagePositionPatient: position as Vec3 | undefined,
    imageOrientationPatient: orientation as Orientation | undefined,
    framePositions: perFrame,
    pixelSpacing: spacing as [number, number] | undefined,
    sliceThickness: decimal(measures ?? ds, 'x00180050') ?? decimal(ds, 'x00180050'),
    instanceNumber: integer(ds, 'x00200013'),
  };
  const header: DicomHeader = {
    transferSyntaxUid: transferSyntax.uid,
    transferSyntaxName: transferSyntax.name,
    sopClassUid: text(ds, 'x00080016') ?? '',
    sopInstanceUid: text(ds, 'x00080018') ?? '',
    studyInstanceUid: text(ds, 'x0020000d') ?? '',
    seriesInstanceUid: text(ds, 'x0020000e') ?? '',
    modality: text(ds, 'x00080060') ?? '',
    rows: unsigned(ds, 'x00280010') ?? 0,
    columns: unsigned(ds, 'x00280011') ?? 0,
    numberOfFrames: integer(ds, 'x00280008') ?? 1,
    samplesPerPixel: unsigned(ds, 'x00280002') ?? 1,
    photometricInterpretation: text(ds, 'x00280004') ?? 'MONOCHROME2',
    bitsAllocated: unsigned(ds, 'x00280100') ?? 0,
    bitsStored: unsigned(ds, 'x00280101') ?? unsigned(ds, 'x00280100') ?? 0,
    highBit:
      unsigned(ds, 'x00280102') ??
      (unsigned(ds, 'x00280101') ?? unsigned(ds, 'x00280100') ?? 1) - 1,
    pixelRepresentation: unsigned(ds, 'x00280103') ?? 0,
    planarConfiguration: unsigned(ds, 'x00280006') ?? 0,
    rescaleSlope: decimal(rescaleSource, 'x00281053') ?? decimal(ds, 'x00281053') ?? 1,
    rescaleIntercept: decimal(rescaleSource, 'x00281052') ?? decimal(ds, 'x00281052') ?? 0,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (header as unknown as Record<string, unknown>)[key] = value;
  }
  return header;
}
