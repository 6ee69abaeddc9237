/**
 * Writes a phantom series as DICOM Part 10 files: MR Image Storage
 * (PS3.3 A.4), explicit VR little endian, MONOCHROME2, 16 bits allocated and
 * 12 stored (unsigned), axial slices with full image-plane geometry. The files
 * say plainly that they hold synthetic data (Image Comments, Series
 * Description), so they can never be mistaken for a patient's images.
 *
 * UIDs are under 2.25 (PS3.5 B.2, a UUID as one decimal integer). They are
 * derived from a SHA-256 of the study's identity as an RFC 9562 version-8
 * (custom) UUID, so writing the same phantom twice gives the same UIDs and two
 * different phantoms never collide.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { PhantomStudy } from './study';
import { PHANTOM_AXIAL_EXTENT_MM, PHANTOM_FIELD_OF_VIEW_MM } from './study';

/** The part of dcmjs used here (the package ships no types; loaded through require because its ESM build is UMD-shaped). */
interface DcmjsModule {
  data: {
    DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): unknown };
  };
}

const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;

const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Identifies files written by Normscope's phantom writer (PS3.7 D.3.3.2 Implementation Class UID). */
export const NORMSCOPE_IMPLEMENTATION_CLASS_UID = uidFromName('normscope/implementation-class');

/** A 2.25 UID from a name: SHA-256 -> UUIDv8 -> decimal (at most 44 characters). */
export function uidFromName(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}

export interface PhantomDicomOptions {
  patientName: string;
  patientId: string;
  /** Defaults derived from the patient ID and the phantom's seed. */
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  /** DICOM DA (YYYYMMDD) and TM (HHMMSS); default 20250101 / 090000. */
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  studyDescription?: string;
  seriesNumber?: number;
  /** DA, may be empty. */
  patientBirthDate?: string;
  /** M, F, O or empty. */
  patientSex?: string;
}

export interface WrittenSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** File paths, one per slice, bottom to top. */
  files: string[];
  sopInstanceUids: string[];
}

/** Window that shows the phantom's tissues (stored values 0..~2700 of 4095). */
const WINDOW_CENTER = 1300;
const WINDOW_WIDTH = 2600;

/** A decimal string (DS) holds at most 16 characters (PS3.5 6.2): keep 8 significant digits. */
function ds(value: number): number {
  return Number(value.toPrecision(8));
}

/** Writes `study` as IM0001.dcm ... into `dir` (created if needed); returns the UIDs and paths. */
export async function writePhantomDicomSeries(
  dir: string,
  study: PhantomStudy,
  options: PhantomDicomOptions,
): Promise<WrittenSeries> {
  const identity = `normscope/phantom/${options.patientId}/${study.seed}/${study.lesions}/${study.size}/${study.slices.length}`;
  const studyInstanceUid = options.studyInstanceUid ?? uidFromName(`${identity}/study`);
  const seriesNumber = options.seriesNumber ?? 1;
  const seriesInstanceUid =
    options.seriesInstanceUid ?? uidFromName(`${identity}/series/${seriesNumber}`);
  const frameOfReferenceUid = uidFromName(`${identity}/frame-of-reference`);
  const studyDate = options.studyDate ?? '20250101';
  const studyTime = options.studyTime ?? '090000';
  const spacing = ds(study.pixelSpacingMm);
  const thickness = ds(study.sliceSpacingMm);
  const origin = ds(-PHANTOM_FIELD_OF_VIEW_MM / 2 + study.pixelSpacingMm / 2);

  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const sopInstanceUids: string[] = [];
  for (const [index, slice] of study.slices.entries()) {
    const sopInstanceUid = uidFromName(`${identity}/series/${seriesNumber}/instance/${index}`);
    const z = ds(-PHANTOM_AXIAL_EXTENT_MM / 2 + (index + 0.5) * study.sliceSpacingMm);
    const dataset: Record<string, unknown> = {
      _vrMap: { PixelData: 'OW' },
      SpecificCharacterSet: 'ISO_IR 192',
      ImageType: ['DERIVED', 'SECONDARY', 'OTHER'],
      SOPClassUID: MR_IMAGE_STORAGE,
      SOPInstanceUID: sopInstanceUid,
      StudyDate: studyDate,
      SeriesDate: studyDate,
      ContentDate: studyDate,
      StudyTime: studyTime,
      SeriesTime: studyTime,
      ContentTime: studyTime,
      AccessionNumber: options.accessionNumber ?? '',
      Modality: 'MR',
      Manufacturer: 'Normscope synthetic phantom',
      ReferringPhysicianName: '',
      StudyDescription: options.studyDescription ?? 'Synthetic brain phantom',
      SeriesDescription: `Phantom T1-like axial${study.lesions ? ' with lesions' : ''} (synthetic)`,
      PatientName: options.patientName,
      PatientID: options.patientId,
      PatientBirthDate: options.patientBirthDate ?? '',
      PatientSex: options.patientSex ?? '',
      BodyPartExamined: 'HEAD',
      ScanningSequence: 'SE',
      SequenceVariant: 'NONE',
      ScanOptions: '',
      MRAcquisitionType: '2D',
      SliceThickness: thickness,
      RepetitionTime: 500,
      EchoTime: 15,
      EchoTrainLength: 1,
      MagneticFieldStrength: 1.5,
      SpacingBetweenSlices: thickness,
      PatientPosition: 'HFS',
      StudyInstanceUID: studyInstanceUid,
      SeriesInstanceUID: seriesInstanceUid,
      StudyID: '1',
      SeriesNumber: seriesNumber,
      InstanceNumber: index + 1,
      ImagePositionPatient: [origin, origin, z],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      FrameOfReferenceUID: frameOfReferenceUid,
      PositionReferenceIndicator: '',
      SliceLocation: z,
      ImageComments:
        'Synthetic phantom generated by Normscope; not patient data, not for clinical use',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: study.size,
      Columns: study.size,
      PixelSpacing: [spacing, spacing],
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      WindowCenter: WINDOW_CENTER,
      WindowWidth: WINDOW_WIDTH,
      PixelData: [slice.pixels.slice().buffer],
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: MR_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sopInstanceUid,
      TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
      ImplementationClassUID: NORMSCOPE_IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: 'NORMSCOPE_0_1',
    };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    const file = join(dir, `IM${String(index + 1).padStart(4, '0')}.dcm`);
    await writeFile(file, new Uint8Array(dict.write()));
    files.push(file);
    sopInstanceUids.push(sopInstanceUid);
  }
  return { studyInstanceUid, seriesInstanceUid, files, sopInstanceUids };
}
