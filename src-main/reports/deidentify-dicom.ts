/**
 * De-identified DICOM objects for export (key images, PACS push), following
 * DICOM PS3.15 Annex E's Basic Application Level Confidentiality Profile with
 * the Retain Longitudinal Temporal Information with Modified Dates Option, on
 * dcmjs naturalized datasets:
 * - every UI attribute except class and syntax UIDs is replaced consistently;
 * - every DA and DT is shifted by the export's offset (TM kept);
 * - Patient's Name, Patient ID, Accession Number become pseudonyms; every
 *   other person name is emptied; Patient's Birth Date is emptied (Z);
 * - the profile's X attributes that identify (institution, physicians,
 *   addresses, comments, descriptions, device serial ...) and all private
 *   attributes are removed;
 * - Patient Identity Removed (0012,0062) = YES, De-identification Method
 *   (0012,0063) and its Code Sequence (0012,0064) with 113100 (Basic
 *   Application Confidentiality Profile) and 113107 (Retain Longitudinal
 *   Temporal Information Modified Dates Option), and Longitudinal Temporal
 *   Information Modified (0028,0303) = MODIFIED are set.
 * Files are written fresh (Part 10 with a new 128-byte zero preamble and a new
 * file meta header): nothing from a source file's preamble is copied.
 */
import { createRequire } from 'node:module';
import { NormscopeError } from '../api/errors';
import type { Deidentifier } from './deidentify';

export type NaturalDataset = Record<string, unknown>;

interface DcmjsModule {
  data: {
    DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
    DicomMessage: { readFile(buffer: ArrayBuffer): { meta: unknown; dict: unknown } };
    DicomMetaDictionary: {
      nameMap: Record<string, { vr: string } | undefined>;
      denaturalizeDataset(dataset: NaturalDataset): unknown;
      naturalizeDataset(dataset: unknown): NaturalDataset;
    };
  };
}

const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;
const { DicomMetaDictionary } = dcmjs.data;

/** UIDs that name a kind of thing, not an instance: kept (PS3.15 E.1.1 replaces instance UIDs only). */
const KEPT_UIDS = new Set([
  'SOPClassUID',
  'ReferencedSOPClassUID',
  'MediaStorageSOPClassUID',
  'TransferSyntaxUID',
  'CodingSchemeUID',
  'ContextGroupExtensionCreatorUID',
  'MappingResourceUID',
  'ImplementationClassUID',
  'RelatedGeneralSOPClassUID',
  'OriginalSpecializedSOPClassUID',
  'SOPClassesInStudy',
]);

/** Identifying attributes of the basic profile (action X or X/Z) that an image does not need. */
const REMOVED = [
  'InstitutionName',
  'InstitutionAddress',
  'InstitutionalDepartmentName',
  'ReferringPhysicianAddress',
  'ReferringPhysicianTelephoneNumbers',
  'PhysiciansOfRecord',
  'PerformingPhysicianName',
  'NameOfPhysiciansReadingStudy',
  'OperatorsName',
  'RequestingPhysician',
  'StationName',
  'DeviceSerialNumber',
  'StudyDescription',
  'SeriesDescription',
  'ImageComments',
  'AdditionalPatientHistory',
  'PatientComments',
  'OtherPatientIDs',
  'OtherPatientIDsSequence',
  'OtherPatientNames',
  'PatientBirthName',
  'PatientMotherBirthName',
  'PatientAddress',
  'PatientTelephoneNumbers',
  'MilitaryRank',
  'BranchOfService',
  'MedicalRecordLocator',
  'Occupation',
  'EthnicGroup',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  'IssuerOfPatientID',
  'RequestAttributesSequence',
  'ReferencedPatientSequence',
  'PerformedProcedureStepID',
  'ScheduledProcedureStepID',
  'RequestedProcedureID',
];

/** Emptied rather than removed: type 2 attributes of the image modules (action Z). */
const EMPTIED = ['PatientBirthDate', 'PatientSex', 'ReferringPhysicianName', 'StudyID'];

const PROFILE_CODES = [
  {
    CodeValue: '113100',
    CodingSchemeDesignator: 'DCM',
    CodeMeaning: 'Basic Application Confidentiality Profile',
  },
  {
    CodeValue: '113107',
    CodingSchemeDesignator: 'DCM',
    CodeMeaning: 'Retain Longitudinal Temporal Information Modified Dates Option',
  },
];

/** A de-identified copy of `dataset` (the input is not changed). */
export function deidentifyDataset(dataset: NaturalDataset, d: Deidentifier): NaturalDataset {
  const out = transform(dataset, d);
  out.PatientName =
    typeof dataset.PatientName === 'string' || isPersonName(dataset.PatientName)
      ? d.pseudonym('patient-name', personNameText(dataset.PatientName))
      : d.pseudonym('patient-name', '');
  out.PatientID = d.pseudonym(
    'patient-id',
    typeof dataset.PatientID === 'string' ? dataset.PatientID : '',
  );
  if (typeof dataset.AccessionNumber === 'string' && dataset.AccessionNumber !== '') {
    out.AccessionNumber = d.pseudonym('accession', dataset.AccessionNumber);
  }
  for (const key of EMPTIED) if (key in out) out[key] = '';
  return markIdentityRemoved(out);
}

/** Sets the attributes that say the object was de-identified, and how (PS3.15 E.1.1, PS3.16 CID 7050). */
export function markIdentityRemoved(dataset: NaturalDataset): NaturalDataset {
  return {
    ...dataset,
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: 'Basic Application Confidentiality Profile; Modified Dates',
    DeidentificationMethodCodeSequence: PROFILE_CODES.map((code) => ({ ...code })),
    LongitudinalTemporalInformationModified: 'MODIFIED',
  };
}

/**
 * A DICOM Part 10 file of `dataset`: a new zero preamble, 'DICM', a new file
 * meta header (explicit VR little endian unless `transferSyntaxUid` says
 * otherwise; the dataset's pixel data must already be in that syntax).
 */
export function writePart10(
  dataset: NaturalDataset,
  transferSyntaxUid = '1.2.840.10008.1.2.1',
): Uint8Array {
  const sopClass = dataset.SOPClassUID;
  const sopInstance = dataset.SOPInstanceUID;
  if (typeof sopClass !== 'string' || typeof sopInstance !== 'string') {
    throw new NormscopeError(
      'InvalidRequest',
      'a DICOM object to export needs SOPClassUID and SOPInstanceUID',
    );
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sopInstance,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: NORMSCOPE_EXPORT_IMPLEMENTATION_UID,
    ImplementationVersionName: 'NORMSCOPE',
  };
  const dict = new dcmjs.data.DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(withoutMeta(dataset));
  return new Uint8Array(dict.write());
}

/** Reads a Part 10 file into a naturalized dataset (the file meta header left out). */
export function readPart10(bytes: Uint8Array): NaturalDataset {
  const copy = bytes.slice().buffer;
  return DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(copy).dict);
}

/** Implementation Class UID of Normscope's export writer: UUIDv8 from sha256('normscope/export-writer') (PS3.7 D.3.3.2). */
const NORMSCOPE_EXPORT_IMPLEMENTATION_UID = '2.25.230225964676015852383328851136159969367';

function transform(dataset: NaturalDataset, d: Deidentifier): NaturalDataset {
  const out: NaturalDataset = {};
  for (const [key, value] of Object.entries(dataset)) {
    if (key === '_meta') continue;
    if (key === '_vrMap') {
      // dcmjs's note of VRs it cannot infer (pixel data OB/OW): needed to write the object back
      out[key] = value;
      continue;
    }
    if (isPrivateOrUnknown(key) || REMOVED.includes(key)) continue;
    const vr = DicomMetaDictionary.nameMap[key]?.vr;
    if (vr === 'SQ' && Array.isArray(value)) {
      out[key] = value.map((item) => transform(item as NaturalDataset, d));
    } else if (vr === 'UI' && !KEPT_UIDS.has(key)) {
      out[key] = mapValues(value, (uid) => (uid === '' ? '' : d.uid(uid)));
    } else if (vr === 'DA') {
      out[key] = mapValues(value, (da) => d.dicomDate(da));
    } else if (vr === 'DT') {
      out[key] = mapValues(value, (dt) =>
        dt.length >= 8 ? `${d.dicomDate(dt.slice(0, 8))}${dt.slice(8)}` : '',
      );
    } else if (vr === 'PN') {
      out[key] = '';
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Private attributes (odd group) and any tag dcmjs could not name come through as 8 hex digits. */
function isPrivateOrUnknown(key: string): boolean {
  return /^[0-9A-Fa-f]{8}$/.test(key);
}

function mapValues(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? fn(v) : v));
  return value;
}

function isPersonName(
  value: unknown,
): value is Array<{ Alphabetic?: string }> | { Alphabetic?: string } {
  return typeof value === 'object' && value !== null;
}

function personNameText(value: unknown): string {
  if (typeof value === 'string') return value;
  const first = Array.isArray(value)
    ? (value[0] as { Alphabetic?: string } | undefined)
    : (value as { Alphabetic?: string });
  return first?.Alphabetic ?? '';
}

function withoutMeta(dataset: NaturalDataset): NaturalDataset {
  const { _meta: _ignoredMeta, ...rest } = dataset;
  return rest;
}
