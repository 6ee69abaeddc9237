/**
 * Study query over QIDO-RS (PS3.18 10.6, attribute matching PS3.4 C.2.2.2):
 * the user's filters -> query parameters, the answer's DICOM JSON -> rows.
 */
import type { PacsQuery, PacsStudyHit } from '../api/contract/pacs';
import { PacsQuery as PacsQuerySchema } from '../api/contract/pacs';
import { NormscopeError } from '../api/errors';
import { jsonString, type DicomJson, type DicomwebSession } from './dicomweb-session';

const TAG = {
  studyUid: '0020000D',
  patientName: '00100010',
  patientId: '00100020',
  studyDate: '00080020',
  accession: '00080050',
  description: '00081030',
  modalities: '00080061',
  seriesCount: '00201206',
  instanceCount: '00201208',
} as const;

/**
 * Filters -> QIDO-RS parameters. A patient name without a wildcard matches
 * names that start with it (`Doe` finds `Doe^John`); a date range may be open
 * on either side.
 */
export function qidoParams(query: PacsQuery): Record<string, string> {
  const q = PacsQuerySchema.parse(query);
  if (q.dateFrom && q.dateTo && q.dateFrom > q.dateTo) {
    throw new NormscopeError(
      'InvalidRequest',
      `the date range is reversed: ${q.dateFrom} is after ${q.dateTo}`,
    );
  }
  const params: Record<string, string> = {
    limit: String(q.limit),
    includefield: [TAG.description, TAG.modalities, TAG.seriesCount, TAG.instanceCount].join(','),
  };
  const name = q.patientName?.trim();
  if (name) params.PatientName = /[*?]/.test(name) ? name : `${name}*`;
  if (q.patientId?.trim()) params.PatientID = q.patientId.trim();
  if (q.dateFrom || q.dateTo)
    params.StudyDate =
      q.dateFrom === q.dateTo ? q.dateFrom! : `${q.dateFrom ?? ''}-${q.dateTo ?? ''}`;
  if (q.modality) params.ModalitiesInStudy = q.modality;
  if (q.accessionNumber?.trim()) params.AccessionNumber = q.accessionNumber.trim();
  return params;
}

function count(dataset: DicomJson, tag: string): number | null {
  const value = Number(jsonString(dataset, tag));
  return Number.isInteger(value) && value >= 0 ? value : null;
}

/** One row per study that has a Study Instance UID; `localInstances` counts what the store already holds. */
export function studyHits(
  datasets: readonly DicomJson[],
  localInstances: (studyUid: string) => number,
): PacsStudyHit[] {
  const hits: PacsStudyHit[] = [];
  for (const dataset of datasets) {
    const studyUid = jsonString(dataset, TAG.studyUid);
    if (!studyUid || !/^[0-9.]{1,64}$/.test(studyUid)) continue;
    const modalities = (dataset[TAG.modalities]?.Value ?? []).filter(
      (m): m is string => typeof m === 'string',
    );
    hits.push({
      studyUid,
      patientName: jsonString(dataset, TAG.patientName) ?? null,
      patientId: jsonString(dataset, TAG.patientId) ?? null,
      studyDate: jsonString(dataset, TAG.studyDate) ?? null,
      description: jsonString(dataset, TAG.description) ?? null,
      accessionNumber: jsonString(dataset, TAG.accession) ?? null,
      modalities,
      seriesCount: count(dataset, TAG.seriesCount),
      instanceCount: count(dataset, TAG.instanceCount),
      localInstances: localInstances(studyUid),
    });
  }
  return hits;
}

/** Runs a study query against a PACS and marks what is already local. */
export async function queryStudies(
  session: DicomwebSession,
  query: PacsQuery,
  localInstances: (studyUid: string) => number,
  signal?: AbortSignal,
): Promise<PacsStudyHit[]> {
  return studyHits(await session.searchForStudies(qidoParams(query), signal), localInstances);
}
