/**
 * What the result objects Normscope sends to a PACS (SR, Segmentation,
 * Parametric Map) share: UIDs, codes, DICOM dates, and for the two
 * multi-frame images derived from a series, the patient, study, equipment and
 * geometry they copy from their source images.
 */
import { randomUUID } from 'node:crypto';
import type { NaturalDataset } from '../reports/deidentify-dicom';

/** Device Serial Number (Type 1 in Enhanced General Equipment): software has none, so a fixed '0'. */
export const NORMSCOPE_DEVICE_SERIAL = '0';

/** AT values as dcmjs writes them (group << 16 | element): Image Position (Patient), Plane Position Sequence. */
const IMAGE_POSITION_PATIENT = 0x00200032;
const PLANE_POSITION_SEQUENCE = 0x00209113;

/** A 2.25 UID from a random UUID (PS3.5 B.2). */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString(10)}`;
}

export function code(value: string, scheme: string, meaning: string): NaturalDataset {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
}

/** DA (YYYYMMDD) of `date` in UTC. */
export function dicomDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/** TM (HHMMSS) of `date` in UTC. */
export function dicomTime(date: Date): string {
  return date.toISOString().slice(11, 19).replaceAll(':', '');
}

export interface DerivedSeries {
  sopClassUid: string;
  modality: string;
  seriesNumber: number;
  seriesDescription: string;
  normscopeVersion: string;
  now: Date;
}

/**
 * Patient, study, series, frame of reference, equipment and content date of a
 * new single-instance series derived from `first`, a naturalized source image.
 */
export function derivedSeriesHeader(first: NaturalDataset, series: DerivedSeries): NaturalDataset {
  const copy = (key: string): unknown => first[key] ?? '';
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: series.sopClassUid,
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
    Modality: series.modality,
    SeriesInstanceUID: newUid(),
    SeriesNumber: series.seriesNumber,
    SeriesDescription: series.seriesDescription,
    FrameOfReferenceUID: first.FrameOfReferenceUID,
    PositionReferenceIndicator: '',
    Manufacturer: 'Normscope',
    ManufacturerModelName: 'Normscope anomaly detector',
    DeviceSerialNumber: NORMSCOPE_DEVICE_SERIAL,
    SoftwareVersions: series.normscopeVersion,
    InstanceNumber: 1,
    ContentDate: dicomDate(series.now),
    ContentTime: dicomTime(series.now),
  };
}

/** The dimension index that orders frames by their position along the series. */
export function positionDimension(organisation: string): NaturalDataset {
  return {
    DimensionOrganizationUID: organisation,
    DimensionIndexPointer: IMAGE_POSITION_PATIENT,
    FunctionalGroupPointer: PLANE_POSITION_SEQUENCE,
    DimensionDescriptionLabel: 'Position',
  };
}

/** Pixel Measures and Plane Orientation, shared by every frame (the source series is one stack). */
export function sharedGeometry(first: NaturalDataset): NaturalDataset {
  return {
    PixelMeasuresSequence: [
      {
        PixelSpacing: first.PixelSpacing,
        SliceThickness: first.SliceThickness,
        SpacingBetweenSlices: first.SpacingBetweenSlices ?? first.SliceThickness,
      },
    ],
    PlaneOrientationSequence: [{ ImageOrientationPatient: first.ImageOrientationPatient }],
  };
}

/** A frame's Derivation Image and Plane Position functional groups: made from `source` by `derivation`. */
export function derivedFrame(source: NaturalDataset, derivation: NaturalDataset): NaturalDataset {
  return {
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: source.SOPClassUID,
            ReferencedSOPInstanceUID: source.SOPInstanceUID,
            PurposeOfReferenceCodeSequence: [
              code('121322', 'DCM', 'Source image for image processing operation'),
            ],
          },
        ],
        DerivationCodeSequence: [derivation],
      },
    ],
    PlanePositionSequence: [{ ImagePositionPatient: source.ImagePositionPatient }],
  };
}

/** Referenced Series Sequence naming every source image. */
export function referencedSeries(sources: readonly NaturalDataset[]): NaturalDataset[] {
  return [
    {
      SeriesInstanceUID: sources[0]!.SeriesInstanceUID,
      ReferencedInstanceSequence: sources.map((source) => ({
        ReferencedSOPClassUID: source.SOPClassUID,
        ReferencedSOPInstanceUID: source.SOPInstanceUID,
      })),
    },
  ];
}
