/**
 * Sending a study's results back to a PACS (STOW-RS, PS3.18 10.5): its scores
 * as a Comprehensive SR and, per scored series, the anomaly map as a float
 * Parametric Map and, where a pixel threshold is calibrated, the thresholded
 * region as a binary Segmentation; all
 * optionally de-identified with one de-identifier (PS3.15 Annex E, through the
 * reports' de-identifier, so UIDs stay consistent between the objects and each
 * carries Patient Identity Removed and its method codes). Off unless the PACS option allows it; every send is
 * written to the audit trail before anything leaves (a trail that cannot be
 * written refuses the send).
 */
import { NormscopeError } from '../api/errors';
import { performAudited } from '../audit/audited-action';
import { studyScoresView } from '../engine/score-views';
import { upsampleMap } from '../../src-common/imaging/upsample';
import { decodeFloat16 } from '../ml/float16';
import { createDeidentifier } from '../reports/deidentify';
import {
  deidentifyDataset,
  readPart10,
  writePart10,
  type NaturalDataset,
} from '../reports/deidentify-dicom';
import type { Store } from '../store/store';
import type { DicomwebSession } from './dicomweb-session';
import { buildAnomalyParametricMap, type PmapFrame } from './result-pmap';
import { NORMSCOPE_DEVICE_SERIAL } from './result-common';
import { buildAnomalySeg, type SegFrame } from './result-seg';
import { buildScoresSr } from './result-sr';

export interface PushOutcome {
  studyInstanceUid: string;
  /** what was sent: the SR first, then one Segmentation per series with a thresholded region */
  objects: Array<{
    kind: 'sr' | 'pmap' | 'seg';
    sopInstanceUid: string;
    seriesInstanceUid: string;
    bytes: number;
  }>;
  /** why an object was left out (e.g. no pixel threshold calibrated) */
  notes: string[];
  deidentified: boolean;
}

interface ResultObject {
  kind: 'sr' | 'pmap' | 'seg';
  dataset: NaturalDataset;
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

/** The result objects of `studyUid` as datasets (de-identified on request), and notes on what was left out. */
export async function resultObjectsFor(
  store: Store,
  studyUid: string,
  options: { deidentify: boolean; normscopeVersion: string; now?: Date },
): Promise<{ objects: ResultObject[]; notes: string[] }> {
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
  const now = options.now ?? new Date();
  const sr = buildScoresSr({
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
    now,
  });
  const objects: ResultObject[] = [{ kind: 'sr', dataset: sr }];
  const notes: string[] = [];
  const pixelThreshold = scores.threshold?.pixelThreshold ?? null;
  if (pixelThreshold === null)
    notes.push('no Segmentation: the model has no calibrated pixel threshold');
  for (const series of detail.series) {
    const frames: PmapFrame[] = [];
    for (const instance of series.instances) {
      const map =
        instance.frames === 1 && instance.fileSha256
          ? store.scoring.getMap(scores.run.id, instance.sopInstanceUid, 0)
          : undefined;
      if (!map) continue;
      const values = upsampleMap(
        decodeFloat16(map.map),
        map.gridH,
        map.gridW,
        instance.rows,
        instance.columns,
      );
      frames.push({ source: readPart10(await store.files.read(instance.fileSha256!)), values });
    }
    if (frames.length === 0) {
      notes.push(
        `nothing for series ${series.seriesUid}: none of its single-frame images has an anomaly map from run ${scores.run.id}`,
      );
      continue;
    }
    const common = { normscopeVersion: options.normscopeVersion, now };
    objects.push({
      kind: 'pmap',
      dataset: buildAnomalyParametricMap({ frames, description: scores.run.modelName, ...common }),
    });
    if (pixelThreshold !== null) {
      const masks: SegFrame[] = frames.map(({ source, values }) => ({
        source,
        mask: Uint8Array.from(values, (v) => (v >= pixelThreshold ? 1 : 0)),
      }));
      const description = `${scores.run.modelName}, pixel threshold ${pixelThreshold.toPrecision(4)}`;
      objects.push({
        kind: 'seg',
        dataset: buildAnomalySeg({ frames: masks, description, ...common }),
      });
    }
  }
  if (options.deidentify) {
    const deidentifier = createDeidentifier();
    for (const object of objects) {
      object.dataset = deidentifyDataset(object.dataset, deidentifier);
      // the profile removes Device Serial Number, which SEG and Parametric Map require (Type 1); ours names no device
      if (object.kind !== 'sr') object.dataset.DeviceSerialNumber = NORMSCOPE_DEVICE_SERIAL;
    }
  }
  return { objects, notes };
}

/** Sends the result objects of a study by STOW-RS; refused unless `allowed`. Audited as 'pacs.push' before anything leaves. */
export async function pushResults(
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
  const { objects, notes } = await resultObjectsFor(store, request.studyUid, request);
  const files = objects.map((object) => ({ object, bytes: writePart10(object.dataset) }));
  const outcome: PushOutcome = {
    studyInstanceUid: String(objects[0]!.dataset.StudyInstanceUID),
    objects: files.map(({ object, bytes }) => ({
      kind: object.kind,
      sopInstanceUid: String(object.dataset.SOPInstanceUID),
      seriesInstanceUid: String(object.dataset.SeriesInstanceUID),
      bytes: bytes.length,
    })),
    notes,
    deidentified: request.deidentify,
  };
  performAudited(store, {
    actor: 'system',
    action: 'pacs.push',
    objectIds: {
      studies: [request.studyUid],
      sopInstanceUids: outcome.objects.map((o) => o.sopInstanceUid),
    },
    details: {
      server: request.server,
      objects: outcome.objects.map((o) => o.kind),
      deidentified: request.deidentify,
    },
    run: () => undefined,
  });
  await session.storeInstances(
    files.map(
      ({ bytes }) =>
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    ),
  );
  return outcome;
}
