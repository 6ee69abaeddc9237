/**
 * The anomaly map of one series as a DICOM Parametric Map (PS3.3 A.75): one
 * float32 frame per scored source image (Float Pixel Data), the map upsampled
 * bilinearly to the image (align_corners=false, as the viewer shows it), with
 * an identity Real World Value Mapping whose unit is "no units" and whose
 * label says what the value is (mean squared feature prediction error).
 * Viewers such as OHIF and 3D Slicer show it as a heat map over the images.
 */
import type { NaturalDataset } from '../reports/deidentify-dicom';
import { NORMSCOPE_DEVICE_SERIAL } from './result-seg';
import { newUid } from './result-sr';

const PARAMETRIC_MAP_STORAGE = '1.2.840.10008.5.1.4.1.1.30';
/** AT values as dcmjs writes them (group << 16 | element): Image Position (Patient), Plane Position Sequence */
const IMAGE_POSITION_PATIENT = 0x00200032;
const PLANE_POSITION_SEQUENCE = 0x00209113;

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

function code(value: string, scheme: string, meaning: string): NaturalDataset {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
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
  const iso = input.now.toISOString();
  const copy = (key: string): unknown => first[key] ?? '';
  return {
    _vrMap: { FloatPixelData: 'OF' },
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: PARAMETRIC_MAP_STORAGE,
    SOPInstanceUID: newUid(),
    PatientName: copy('PatientName'),
    PatientID: copy('PatientID'),
    PatientBirthDate: copy('PatientBirthDate'),
    PatientSex: copy('PatientSex'),
    StudyInstanceUID: first.StudyInstanceUID,
    StudyDate: copy('StudyDate'),
    StudyTime: copy('StudyTime'),
    ReferringPhysicianName: copy('ReferringPhysicianName'),
    StudyID: copy('StudyID'),
    AccessionNumber: copy('AccessionNumber'),
    Modality: first.Modality,
    SeriesInstanceUID: newUid(),
    SeriesNumber: 9903,
    SeriesDescription: 'Normscope anomaly map',
    FrameOfReferenceUID: first.FrameOfReferenceUID,
    PositionReferenceIndicator: '',
    Manufacturer: 'Normscope',
    ManufacturerModelName: 'Normscope anomaly detector',
    DeviceSerialNumber: NORMSCOPE_DEVICE_SERIAL,
    SoftwareVersions: input.normscopeVersion,
    InstanceNumber: 1,
    ContentDate: iso.slice(0, 10).replaceAll('-', ''),
    ContentTime: iso.slice(11, 19).replaceAll(':', ''),
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
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: organisation,
        DimensionIndexPointer: IMAGE_POSITION_PATIENT,
        FunctionalGroupPointer: PLANE_POSITION_SEQUENCE,
        DimensionDescriptionLabel: 'Position',
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PixelMeasuresSequence: [
          {
            PixelSpacing: first.PixelSpacing,
            SliceThickness: first.SliceThickness,
            SpacingBetweenSlices: first.SpacingBetweenSlices ?? first.SliceThickness,
          },
        ],
        PlaneOrientationSequence: [{ ImageOrientationPatient: first.ImageOrientationPatient }],
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
      DerivationImageSequence: [
        {
          SourceImageSequence: [
            {
              ReferencedSOPClassUID: frame.source.SOPClassUID,
              ReferencedSOPInstanceUID: frame.source.SOPInstanceUID,
              PurposeOfReferenceCodeSequence: [
                code('121322', 'DCM', 'Source image for image processing operation'),
              ],
            },
          ],
          DerivationCodeSequence: [code('110001', 'DCM', 'Image Processing')],
        },
      ],
      FrameContentSequence: [{ DimensionIndexValues: [index + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: frame.source.ImagePositionPatient }],
    })),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: first.SeriesInstanceUID,
        ReferencedInstanceSequence: input.frames.map((frame) => ({
          ReferencedSOPClassUID: frame.source.SOPClassUID,
          ReferencedSOPInstanceUID: frame.source.SOPInstanceUID,
        })),
      },
    ],
    FloatPixelData: [pixels.buffer],
  };
}
