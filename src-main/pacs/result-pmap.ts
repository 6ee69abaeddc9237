/**
 * The anomaly map of one series as a DICOM Parametric Map (PS3.3 A.75): one
 * float32 frame per scored source image (Float Pixel Data), the map upsampled
 * bilinearly to the image (align_corners=false, as the viewer shows it), with
 * an identity Real World Value Mapping whose unit is "no units" and whose
 * label says what the value is (mean squared feature prediction error).
 * Viewers such as OHIF and 3D Slicer show it as a heat map over the images.
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

const PARAMETRIC_MAP_STORAGE = '1.2.840.10008.5.1.4.1.1.30';

/** Image Type of enhanced images (PS3.3 C.8.16.1): derived, primary, image flavour, derived pixel contrast */
const IMAGE_TYPE = ['DERIVED', 'PRIMARY', 'VOLUME', 'NONE'];

export interface PmapFrame {
  /** the source image's own dataset (naturalized) */
  source: NaturalDataset;
  /** rows x columns float32: the upsampled anomaly map */
  values: Float32Array;
}

export interface PmapInput {
  frames: PmapFrame[];
  /** e.g. the model's name */
  description: string;
  normscopeVersion: string;
  now: Date;
}

/** Body Part Examined -> SNOMED CT region (Frame Anatomy is Type 1); parts not listed map to the entire body. */
const ANATOMY: Record<string, [string, string]> = {
  HEAD: ['69536005', 'Head'],
  BRAIN: ['12738006', 'Brain'],
  CHEST: ['51185008', 'Thorax'],
  ABDOMEN: ['818981001', 'Abdomen'],
  PELVIS: ['816092008', 'Pelvis'],
};

function anatomyOf(source: NaturalDataset): NaturalDataset {
  const [value, meaning] = ANATOMY[String(source.BodyPartExamined ?? '').toUpperCase()] ?? [
    '38266002',
    'Entire body',
  ];
  return code(value, 'SCT', meaning);
}

/** The Parametric Map as a naturalized dataset (write it with writePart10). */
export function buildAnomalyParametricMap(input: PmapInput): NaturalDataset {
  const first = input.frames[0]?.source;
  if (!first) throw new RangeError('a parametric map needs at least one frame');
  const rows = Number(first.Rows);
  const columns = Number(first.Columns);
  const pixels = new Float32Array(rows * columns * input.frames.length);
  let low = Infinity;
  let high = -Infinity;
  input.frames.forEach((frame, index) => {
    if (frame.values.length !== rows * columns)
      throw new RangeError(`every frame of a parametric map must be ${rows}x${columns}`);
    pixels.set(frame.values, index * rows * columns);
    for (const value of frame.values) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
  });
  const organisation = newUid();
  return {
    _vrMap: { FloatPixelData: 'OF' },
    ...derivedSeriesHeader(first, {
      sopClassUid: PARAMETRIC_MAP_STORAGE,
      modality: String(first.Modality ?? 'OT'),
      seriesNumber: 9903,
      seriesDescription: 'Normscope anomaly map',
      normscopeVersion: input.normscopeVersion,
      now: input.now,
    }),
    ImageType: IMAGE_TYPE,
    ContentLabel: 'ANOMALY_MAP',
    ContentDescription: input.description.slice(0, 64),
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 32,
    PresentationLUTShape: 'IDENTITY',
    LossyImageCompression: '00',
    BurnedInAnnotation: 'NO',
    RecognizableVisualFeatures: 'NO',
    ContentQualification: 'RESEARCH',
    NumberOfFrames: input.frames.length,
    AcquisitionContextSequence: [],
    DimensionOrganizationType: '3D',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organisation }],
    DimensionIndexSequence: [positionDimension(organisation)],
    SharedFunctionalGroupsSequence: [
      {
        ...sharedGeometry(first),
        ParametricMapFrameTypeSequence: [{ FrameType: IMAGE_TYPE }],
        FrameAnatomySequence: [
          { AnatomicRegionSequence: [anatomyOf(first)], FrameLaterality: 'U' },
        ],
        PixelValueTransformationSequence: [
          { RescaleIntercept: 0, RescaleSlope: 1, RescaleType: 'US' },
        ],
        RealWorldValueMappingSequence: [
          {
            LUTExplanation: 'Mean squared error of the predicted patch features',
            LUTLabel: 'ANOMALY',
            MeasurementUnitsCodeSequence: [code('1', 'UCUM', 'no units')],
            DoubleFloatRealWorldValueFirstValueMapped: Number.isFinite(low) ? low : 0,
            DoubleFloatRealWorldValueLastValueMapped: Number.isFinite(high) ? high : 0,
            RealWorldValueIntercept: 0,
            RealWorldValueSlope: 1,
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: input.frames.map((frame, index) => ({
      ...derivedFrame(frame.source, code('110001', 'DCM', 'Image Processing')),
      FrameContentSequence: [{ DimensionIndexValues: [index + 1] }],
    })),
    ReferencedSeriesSequence: referencedSeries(input.frames.map((frame) => frame.source)),
    FloatPixelData: [pixels.buffer],
  };
}
