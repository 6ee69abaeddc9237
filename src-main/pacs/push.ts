/**
 * Sending a study's results back to a PACS (STOW-RS, PS3.18 10.5): its scores
 * as a Comprehensive SR, optionally de-identified (PS3.15 Annex E, through the
 * reports' de-identifier, so the object carries Patient Identity Removed and
 * its method codes). Off unless the PACS option allows it; every send is
 * written to the audit trail before anything leaves (a trail that cannot be
 * written refuses the send).
 */
import { NormscopeError } from '../api/errors';
import { performAudited } from '../audit/audited-action';
import { studyScoresView } from '../engine/score-views';
import { createDeidentifier } from '../reports/deidentify';
import {
  deidentifyDataset,
  readPart10,
  writePart10,
  type NaturalDataset,
} from '../reports/deidentify-dicom';
import type { Store } from '../store/store';
import type { DicomwebSession } from './dicomweb-session';
import { buildScoresSr } from './result-sr';

export interface PushOutcome {
  sopInstanceUid: string;
  studyInstanceUid: string;
  deidentified: boolean;
  bytes: number;
}

function textOf(dataset: NaturalDataset, key: string): string {
  const value = dataset[key];
  if (typeof value === 'string') return value;
  if (
    Array.isArray(value) &&
    value[0] &&
    typeof value[0] === 'object' &&
    'Alphabetic' in value[0]
  ) {
    return String((value[0] as { Alphabetic: unknown }).Alphabetic ?? '');
  }
  return '';
}

/** The scores SR of `studyUid` as Part 10 bytes (de-identified on request). */
export async function scoresSrFor(
  store: Store,
  studyUid: string,
  options: { deidentify: boolean; normscopeVersion: string; now?: Date },
): Promise<{ bytes: Uint8Array; dataset: NaturalDataset }> {
  const scores = studyScoresView(store, { studyUid });
  if (!scores)
    throw new NormscopeError('NotFound', `study ${studyUid} has no scores to send: score it first`);
  const detail = store.studies.getStudy(studyUid);
  const first = detail?.series[0]?.instances[0];
  if (!detail || !first?.fileSha256)
    throw new NormscopeError(
      'NotFound',
      `study ${studyUid} has no stored instance to take its patient and study attributes from`,
    );
  const source = readPart10(await store.files.read(first.fileSha256));
  let dataset = buildScoresSr({
    patient: {
      PatientName: textOf(source, 'PatientName'),
      PatientID: textOf(source, 'PatientID'),
      PatientBirthDate: textOf(source, 'PatientBirthDate'),
      PatientSex: textOf(source, 'PatientSex'),
    },
    study: {
      StudyInstanceUID: studyUid,
      StudyDate: textOf(source, 'StudyDate'),
      StudyTime: textOf(source, 'StudyTime'),
      AccessionNumber: textOf(source, 'AccessionNumber'),
      StudyID: textOf(source, 'StudyID'),
      ReferringPhysicianName: textOf(source, 'ReferringPhysicianName'),
    },
    series: detail.series.map((series) => ({
      seriesInstanceUid: series.seriesUid,
      instances: series.instances.map((i) => ({
        sopClassUid: i.sopClassUid,
        sopInstanceUid: i.sopInstanceUid,
      })),
    })),
    scores,
    normscopeVersion: options.normscopeVersion,
    now: options.now ?? new Date(),
  });
  if (options.deidentify) dataset = deidentifyDataset(dataset, createDeidentifier());
  return { bytes: writePart10(dataset), dataset };
}

/** Sends the scores SR of a study by STOW-RS; refused unless `allowed`. Audited as 'pacs.push'. */
export async function pushScores(
  store: Store,
  session: DicomwebSession,
  request: {
    studyUid: string;
    deidentify: boolean;
    allowed: boolean;
    server: string;
    normscopeVersion: string;
  },
): Promise<PushOutcome> {
  if (!request.allowed) {
    throw new NormscopeError(
      'Refused',
      'sending results to a PACS is off: turn it on in Settings › PACS first',
    );
  }
  const { bytes, dataset } = await scoresSrFor(store, request.studyUid, request);
  const outcome: PushOutcome = {
    sopInstanceUid: String(dataset.SOPInstanceUID),
    studyInstanceUid: String(dataset.StudyInstanceUID),
    deidentified: request.deidentify,
    bytes: bytes.length,
  };
  performAudited(store, {
    actor: 'system',
    action: 'pacs.push',
    objectIds: { studies: [request.studyUid], sopInstanceUid: outcome.sopInstanceUid },
    details: {
      server: request.server,
      object: 'Comprehensive SR (scores)',
      deidentified: request.deidentify,
    },
    run: () => undefined,
  });
  await session.storeInstances([
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  ]);
  return outcome;
}
