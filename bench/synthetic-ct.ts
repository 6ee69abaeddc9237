/**
 * Synthetic CT series for the import and viewer benchmarks: CT Image Storage,
 * 16 bits allocated, 12 stored, rescale intercept -1024, written as explicit
 * VR little endian DICOM with dcmjs. Each slice is a noisy body-like ellipse
 * that changes along z, so every slice differs and JPEG-LS compresses it about
 * as it would real data (about 2:1). Not patient data, and named so.
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uidFromName } from '../src-main/ml/phantom/dicom-writer';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

interface DcmjsModule {
  data: {
    DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): unknown };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;

export interface SyntheticCtSpec {
  /** Namespace of the series' UIDs, e.g. 'normscope/bench/import': the same name gives the same UIDs. */
  uidName: string;
  slices: number;
  /** Rows and columns. */
  size: number;
  /** Seeds the noise. */
  seed: number;
  studyDate: string;
  studyDescription: string;
  patientName: string;
  patientId: string;
}

export interface SyntheticCtSeries {
  studyUid: string;
  seriesUid: string;
  /** SOP Instance UIDs in slice order. */
  sops: string[];
  /** The files written, in slice order. */
  files: string[];
}

/** Stored values of slice `z` of `slices`: air, ~40 HU tissue in an ellipse that shrinks towards the ends, a bone rim, 12 HU noise. */
function ctSlice(z: number, slices: number, size: number, seed: number): Uint16Array {
  const pixels = new Uint16Array(size * size);
  const scale = 0.75 + 0.2 * Math.sin((Math.PI * z) / slices);
  const a = (size / 2) * 0.85 * scale;
  const b = (size / 2) * 0.6 * scale;
  let state = (seed * 2654435761 + z * 40503) >>> 0 || 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = ((x - size / 2) / a) ** 2 + ((y - size / 2) / b) ** 2;
      const hu = r > 1 ? -1000 : r > 0.85 ? 700 : 40;
      // xorshift32: uniform noise, summed pairs roughly bell-shaped, cheap enough for 1000 slices
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const noise =
        (((state >>> 0) & 0xffff) / 0xffff + ((state >>> 16) & 0xffff) / 0xffff - 1) * 29;
      pixels[y * size + x] = Math.max(0, Math.min(4095, Math.round(hu + 1024 + noise)));
    }
  }
  return pixels;
}

/** Writes the series into `dir` as CT0001.dcm, CT0002.dcm, ... */
export function writeSyntheticCt(dir: string, spec: SyntheticCtSpec): SyntheticCtSeries {
  mkdirSync(dir, { recursive: true });
  const studyUid = uidFromName(`${spec.uidName}/study`);
  const seriesUid = uidFromName(`${spec.uidName}/series`);
  const sops: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < spec.slices; i++) {
    const sop = uidFromName(`${spec.uidName}/instance/${i}`);
    const dataset: Record<string, unknown> = {
      _vrMap: { PixelData: 'OW' },
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sop,
      StudyDate: spec.studyDate,
      StudyTime: '090000',
      Modality: 'CT',
      StudyDescription: spec.studyDescription,
      SeriesDescription: `Synthetic axial ${spec.slices} slices (not patient data)`,
      PatientName: spec.patientName,
      PatientID: spec.patientId,
      StudyInstanceUID: studyUid,
      SeriesInstanceUID: seriesUid,
      SeriesNumber: 1,
      InstanceNumber: i + 1,
      ImagePositionPatient: [-200, -200, i * 1.25],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      SliceThickness: 1.25,
      PixelSpacing: [0.78125, 0.78125],
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: spec.size,
      Columns: spec.size,
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      RescaleIntercept: -1024,
      RescaleSlope: 1,
      WindowCenter: 40,
      WindowWidth: 400,
      PixelData: [ctSlice(i, spec.slices, spec.size, spec.seed).buffer],
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sop,
      TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
      ImplementationClassUID: uidFromName('normscope/implementation-class'),
    };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    const file = join(dir, `CT${String(i + 1).padStart(4, '0')}.dcm`);
    writeFileSync(file, new Uint8Array(dict.write()));
    sops.push(sop);
    files.push(file);
  }
  return { studyUid, seriesUid, sops, files };
}
