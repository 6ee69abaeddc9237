/**
 * Retrieval of studies from a PACS into the local store, one instance at a
 * time (WADO-RS per instance, PS3.18 10.4): an instance whose SOP Instance UID
 * the store already holds is skipped, so a run that was cancelled, paused,
 * killed or cut off by the network continues where it stopped and never
 * duplicates. Each instance goes through the ordinary import (its own
 * transaction), so an interrupted study holds whole instances only, and the
 * summary names what is still missing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NormscopeError } from '../api/errors';
import { performAudited } from '../audit/audited-action';
import { importDicom } from '../dicom/import';
import { parseDicomHeader } from '../dicom/parse';
import type { ProgressReporter } from '../jobs/progress';
import type { Store } from '../store/store';
import { jsonString, type DicomwebSession } from './dicomweb-session';

export interface StudyRetrieval {
  studyUid: string;
  /** instances the PACS lists for the study */
  instances: number;
  retrieved: number;
  /** already in the store before this run */
  skipped: number;
  /** instances that could not be stored, with the reason */
  failed: Array<{ sopInstanceUid: string; reason: string }>;
  /** every listed instance is now in the store */
  complete: boolean;
}

export interface RetrieveSummary {
  server: string;
  studies: StudyRetrieval[];
  /** what happened about scoring the retrieved studies (auto-score setting) */
  scoring: string | null;
}

export interface RetrieveContext {
  signal: AbortSignal;
  progress: ProgressReporter;
}

interface InstanceRef {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

/** The instances a PACS lists for a study; entries without usable UIDs are an error of the server. */
async function listInstances(
  session: DicomwebSession,
  studyUid: string,
  signal: AbortSignal,
): Promise<InstanceRef[]> {
  const datasets = await session.searchForInstances(studyUid, signal);
  const refs: InstanceRef[] = [];
  for (const dataset of datasets) {
    const seriesInstanceUID = jsonString(dataset, '0020000E');
    const sopInstanceUID = jsonString(dataset, '00080018');
    if (
      !seriesInstanceUID ||
      !sopInstanceUID ||
      !UID.test(seriesInstanceUID) ||
      !UID.test(sopInstanceUID)
    ) {
      throw new NormscopeError(
        'Unavailable',
        `the PACS listed an instance of study ${studyUid} without valid series/SOP UIDs`,
      );
    }
    refs.push({ studyInstanceUID: studyUid, seriesInstanceUID, sopInstanceUID });
  }
  return refs;
}

/** The SOP Instance UID in PS3.10 bytes, or a reason why there is none. */
function sopUidOf(bytes: Uint8Array, label: string): string {
  return parseDicomHeader(bytes, label, { fileSize: bytes.length }).header.sopInstanceUid;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Retrieves `studyUids` into `store`. Errors of one instance (a file the
 * import refuses, an instance the PACS no longer has) are recorded and the
 * run goes on; errors of the connection (credentials, server gone after the
 * retries, cancellation) stop the run with a message that says how much of
 * the current study is missing. Each study is audited as 'pacs.retrieve'.
 */
export async function retrieveStudies(
  store: Store,
  session: DicomwebSession,
  studyUids: readonly string[],
  ctx: RetrieveContext,
  meta: { server: string; jobId: string | null },
): Promise<RetrieveSummary> {
  const hasInstance = store.db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM instances WHERE sop_instance_uid = ?',
  );
  const studies: StudyRetrieval[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'normscope-retrieve-'));
  try {
    for (const [studyIndex, studyUid] of studyUids.entries()) {
      const studyLabel = `study ${studyIndex + 1} of ${studyUids.length}`;
      ctx.progress.report(studyIndex / studyUids.length, `Listing the instances of ${studyLabel}`);
      const refs = await listInstances(session, studyUid, ctx.signal);
      const study: StudyRetrieval = {
        studyUid,
        instances: refs.length,
        retrieved: 0,
        skipped: 0,
        failed: [],
        complete: false,
      };
      studies.push(study);
      try {
        for (const [index, ref] of refs.entries()) {
          ctx.progress.report(
            (studyIndex + index / Math.max(1, refs.length)) / studyUids.length,
            `Retrieving ${studyLabel}: instance ${index + 1} of ${refs.length}`,
          );
          if (hasInstance.get(ref.sopInstanceUID)) {
            study.skipped++;
            continue;
          }
          let bytes: Uint8Array;
          try {
            bytes = await session.retrieveInstance(ref, ctx.signal);
          } catch (err) {
            if (err instanceof NormscopeError && err.name === 'NotFound') {
              study.failed.push({ sopInstanceUid: ref.sopInstanceUID, reason: err.message });
              continue;
            }
            throw err;
          }
          await storeInstance(store, scratch, ref, bytes, meta.jobId, study);
        }
        study.complete = refs.every((ref) => hasInstance.get(ref.sopInstanceUID));
      } finally {
        auditStudy(store, meta, study);
      }
    }
  } catch (err) {
    throw withMissing(err, studies);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  ctx.progress.report(1, `Retrieved ${studies.length} stud${studies.length === 1 ? 'y' : 'ies'}`);
  return { server: meta.server, studies, scoring: null };
}

async function storeInstance(
  store: Store,
  scratch: string,
  ref: InstanceRef,
  bytes: Uint8Array,
  jobId: string | null,
  study: StudyRetrieval,
): Promise<void> {
  const label = `instance ${ref.sopInstanceUID} from the PACS`;
  try {
    const sent = sopUidOf(bytes, label);
    if (sent !== ref.sopInstanceUID) {
      throw new NormscopeError(
        'InvalidRequest',
        `the PACS sent instance ${sent} when asked for ${ref.sopInstanceUID}`,
      );
    }
  } catch (err) {
    study.failed.push({ sopInstanceUid: ref.sopInstanceUID, reason: reasonOf(err) });
    return;
  }
  const path = join(scratch, `${ref.sopInstanceUID}.dcm`);
  await writeFile(path, bytes);
  try {
    const result = await importDicom(store, [path], { jobId });
    if (result.imported === 1) study.retrieved++;
    else if (result.existing === 1) study.skipped++;
    else
      study.failed.push({
        sopInstanceUid: ref.sopInstanceUID,
        reason: result.failures[0]?.reason ?? 'not imported',
      });
  } finally {
    await rm(path, { force: true });
  }
}

function auditStudy(
  store: Store,
  meta: { server: string; jobId: string | null },
  study: StudyRetrieval,
): void {
  performAudited(store, {
    actor: 'system',
    action: 'pacs.retrieve',
    objectIds: { job: meta.jobId, studies: [study.studyUid] },
    details: {
      server: meta.server,
      instances: study.instances,
      retrieved: study.retrieved,
      skipped: study.skipped,
      failed: study.failed.length,
      complete: study.complete,
    },
    run: () => undefined,
  });
}

/** The connection error, told with how much of the interrupted study is missing and how to continue. */
function withMissing(err: unknown, studies: readonly StudyRetrieval[]): unknown {
  const current = studies.at(-1);
  if (!(err instanceof NormscopeError) || !current || current.complete) return err;
  const present = current.retrieved + current.skipped;
  const missing = current.instances - present;
  if (missing <= 0) return err;
  return new NormscopeError(
    err.name,
    `${err.message}. Study ${current.studyUid} is incomplete: ${missing} of ${current.instances} instances are missing; retrieve it again to continue (instances already stored are skipped)`,
  );
}
