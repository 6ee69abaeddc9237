/**
 * De-identification of what an export shows, after DICOM PS3.15 Annex E, the
 * Basic Application Level Confidentiality Profile, with the Retain
 * Longitudinal Temporal Information with Modified Dates Option:
 * - patient names, patient IDs, accession numbers and reviewer names
 *   (Name of Physician(s) Reading Study is an X attribute of the profile) are
 *   replaced by pseudonyms: HMAC-SHA256 under a random key made for this one
 *   export and never stored, so the same person has the same pseudonym within
 *   an export and unlinkable ones across exports;
 * - dates (study date, verdict and scoring times) are shifted by one random
 *   whole number of days per export, so intervals between them stay true;
 *   times of day are kept; birth dates are removed;
 * - UIDs are replaced consistently (same UID in, same UID out within an
 *   export) by 2.25.<decimal of a 128-bit HMAC> (PS3.5 B.2);
 * - free text that may hold identifiers (study descriptions, verdict
 *   comments) is removed.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';

export type PseudonymKind = 'patient-name' | 'patient-id' | 'accession' | 'reviewer';

const PREFIX: Record<PseudonymKind, string> = {
  'patient-name': 'PATIENT',
  'patient-id': 'PID',
  accession: 'ACC',
  reviewer: 'REVIEWER',
};

/** the shift is drawn from this many days back, at least one */
const MAX_SHIFT_DAYS = 3650;
const DAY_MS = 86_400_000;

export interface Deidentifier {
  /** e.g. PATIENT-3F2A9C1B; stable within this export */
  pseudonym(kind: PseudonymKind, value: string): string;
  /** 2.25.<decimal>; stable within this export */
  uid(value: string): string;
  /** YYYY-MM-DD shifted by the export's offset */
  date(isoDate: string): string;
  /** an ISO 8601 timestamp shifted by the export's offset (time of day kept) */
  dateTime(iso: string): string;
  /** DICOM DA (YYYYMMDD) shifted */
  dicomDate(da: string): string;
  /** what was done, for the report's scope (the key and the offset are never shown) */
  readonly method: string;
}

export interface DeidentifierOptions {
  /** HMAC key; random (32 bytes) by default. Tests pass a fixed one. */
  key?: Uint8Array;
  /** days added to every date (negative: earlier); random in [-3650, -1] by default */
  shiftDays?: number;
}

export const DEIDENTIFICATION_METHOD =
  'DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile, Retain Longitudinal Temporal Information with Modified Dates Option: names, IDs and accession numbers pseudonymised per export (HMAC-SHA256, random key not kept), dates shifted by a random per-export number of days, birth dates and free text removed, UIDs replaced consistently (2.25)';

export function createDeidentifier(options: DeidentifierOptions = {}): Deidentifier {
  const key = options.key ?? randomBytes(32);
  const shiftMs = (options.shiftDays ?? -randomInt(1, MAX_SHIFT_DAYS + 1)) * DAY_MS;
  const mac = (label: string, value: string): Buffer =>
    createHmac('sha256', key).update(label).update('\0').update(value).digest();
  return {
    pseudonym: (kind, value) =>
      `${PREFIX[kind]}-${mac(kind, value).subarray(0, 4).toString('hex').toUpperCase()}`,
    uid: (value) => {
      const bytes = mac('uid', value).subarray(0, 16);
      // as a UUID version 8 (custom), like the project's other 2.25 UIDs: at most 39 digits after '2.25.'
      bytes[6] = (bytes[6]! & 0x0f) | 0x80;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
    },
    date: (isoDate) =>
      new Date(Date.parse(`${isoDate}T00:00:00Z`) + shiftMs).toISOString().slice(0, 10),
    dateTime: (iso) => new Date(Date.parse(iso) + shiftMs).toISOString(),
    dicomDate: (da) => {
      if (!/^\d{8}$/.test(da)) return '';
      const shifted = new Date(
        Date.parse(`${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}T00:00:00Z`) + shiftMs,
      );
      return shifted.toISOString().slice(0, 10).replaceAll('-', '');
    },
    method: DEIDENTIFICATION_METHOD,
  };
}
