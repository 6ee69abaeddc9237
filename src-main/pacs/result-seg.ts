/**
 * The thresholded anomaly region of one series as a binary DICOM
 * Segmentation (PS3.3 A.51, C.8.20): one segment, one frame per scored source
 * image, each frame the anomaly map upsampled bilinearly to the image
 * (align_corners=false, as the viewer shows it) and thresholded at the pixel
 * threshold in force. Frames are bit-packed (BitsAllocated 1, PS3.5 8.1.1).
 */
import type { NaturalDataset } from '../reports/deidentify-dicom';
import {
  code,
  derivedFrame,
  derivedSeriesHeader,
  newUid,
  positionDimension,
  referencedSeries,
  sharedGeometry,
} from './result-common';

const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
/** AT values as dcmjs writes them, group << 16 | element: (0062,000B) Referenced Segment Number, (0062,000A) Segment Identification Sequence */
const REFERENCED_SEGMENT_NUMBER = 0x0062000b;
const SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000a;

export interface SegFrame {
  /** the source image's own dataset (naturalized): geometry, classes and UIDs come from it */
  source: NaturalDataset;
  /** rows x columns, 1 inside the region */
  mask: Uint8Array;
}

export interface SegInput {
  frames: SegFrame[];
  /** what produced the region, e.g. "Fixture AR model, pixel threshold 0.42" */
  description: string;
  normscopeVersion: string;
  now: Date;
}

/** masks -> one bit per pixel, least significant bit first, frames back to back, even length. */
export function packBits(masks: readonly Uint8Array[]): Uint8Array {
  const total = masks.reduce((n, m) => n + m.length, 0);
  const out = new Uint8Array(Math.ceil(Math.ceil(total / 8) / 2) * 2);
  let bit = 0;
  for (const mask of masks) {
    for (let i = 0; i < mask.length; i++, bit++) {
      if (mask[i]) out[bit >> 3]! |= 1 << (bit & 7);
    }
  }
  return out;
}

/** The Segmentation as a naturalized dataset (write it with writePart10). */
export function buildAnomalySeg(input: SegInput): NaturalDataset {
  const first = input.frames[0]?.source;
  if (!first) throw new RangeError('a segmentation needs at least one frame');
  const rows = Number(first.Rows);
  const columns = Number(first.Columns);
  for (const frame of input.frames) {
    if (
      Number(frame.source.Rows) !== rows ||
      Number(frame.source.Columns) !== columns ||
      frame.mask.length !== rows * columns
    ) {
      throw new RangeError(`every frame of a segmentation must be ${rows}x${columns}`);
    }
  }
  const organisation = newUid();
  const pixels = packBits(input.frames.map((f) => f.mask));
  return {
    _vrMap: { PixelData: 'OB' },
    ...derivedSeriesHeader(first, {
      sopClassUid: SEGMENTATION_STORAGE,
      modality: 'SEG',
      seriesNumber: 9902,
      seriesDescription: 'Normscope anomaly region (thresholded)',
      normscopeVersion: input.normscopeVersion,
      now: input.now,
    }),
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'ANOMALY',
    ContentDescription: input.description.slice(0, 64),
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    SegmentSequence: [
      {
        SegmentNumber: 1,
        SegmentLabel: 'Anomaly above threshold',
        SegmentAlgorithmType: 'AUTOMATIC',
        SegmentAlgorithmName: 'Normscope spatial AR',
        SegmentedPropertyCategoryCodeSequence: [
          code('49755003', 'SCT', 'Morphologically Abnormal Structure'),
        ],
        SegmentedPropertyTypeCodeSequence: [
          code('49755003', 'SCT', 'Morphologically Abnormal Structure'),
        ],
      },
    ],
    NumberOfFrames: input.frames.length,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organisation }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: organisation,
        DimensionIndexPointer: REFERENCED_SEGMENT_NUMBER,
        FunctionalGroupPointer: SEGMENT_IDENTIFICATION_SEQUENCE,
        DimensionDescriptionLabel: 'Segment',
      },
      positionDimension(organisation),
    ],
    SharedFunctionalGroupsSequence: [sharedGeometry(first)],
    PerFrameFunctionalGroupsSequence: input.frames.map((frame, index) => ({
      ...derivedFrame(frame.source, code('113076', 'DCM', 'Segmentation')),
      FrameContentSequence: [{ DimensionIndexValues: [1, index + 1] }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: 1 }],
    })),
    ReferencedSeriesSequence: referencedSeries(input.frames.map((frame) => frame.source)),
    PixelData: [pixels.buffer],
  };
}
