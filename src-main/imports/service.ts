/**
 * DICOM import as a job (issue 4): the engine (src-main/dicom/import.ts) walks
 * the paths and stores one file per transaction; this service wraps it in a
 * job with progress (files done / total, rate), cancel and pause, an audit
 * entry when the job starts and one when it ends (with counts, not one per
 * file), a `studies.changed` event for the worklist, and a resumer: after a
 * restart or a kill the walk simply runs again, and files already imported
 * cost a header read (copy mode) or a database lookup (reference mode).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { ImportErrorInfo, JobInfo } from '../api/contract';
import { NormscopeError } from '../api/errors';
import type { EventBus } from '../api/event-bus';
import { readSettings } from '../core/handlers/settings';
import { importDicom } from '../dicom/import';
import type { ImportLimits, ImportProgress } from '../dicom/import';
import type { JobContext, JobManager, JobResumer } from '../jobs/job-manager';
import type { Store } from '../store/store';
import { sweepStaleTempFiles } from './stale-temp';
import { describeCounts, type ImportCounts } from './summary';

export type ImportMode = 'copy' | 'reference';

export interface ImportRequest {
  paths: readonly string[];
  /** default: the `importMode` setting */
  mode?: ImportMode;
  /** a folder of uploaded files (inside the data directory) removed once the job has ended */
  uploadDir?: string;
  /** the reviewer's name, or 'system' */
  actor?: string;
  /** the job's title; default from the paths */
  title?: string;
}

export interface ImportService {
  /** Queues an import job and returns it as it stands. */
  start(request: ImportRequest): JobInfo;
  /** The files a job could not import, each once, oldest first. */
  errors(jobId: string): ImportErrorInfo[];
  /** Counts of a job this process ran or resumed (undefined for others). */
  counts(jobId: string): ImportCounts | undefined;
  /** continues an import interrupted by a restart (registered with `jobs.recover`) */
  readonly resumer: JobResumer;
}

export interface ImportServiceDeps {
  store: Store;
  jobs: JobManager;
  events: Pick<EventBus, 'publish' | 'subscribe'>;
  /** where uploads are spooled: only folders inside it are ever removed */
  uploadsRoot?: string;
  limits?: Partial<ImportLimits>;
}

/** Stored with the job, so a restarted process can run it again. */
const JobParams = z.object({
  paths: z.array(z.string().min(1)).min(1),
  mode: z.enum(['copy', 'reference']),
  uploadDir: z.string().nullable(),
  actor: z.string(),
  title: z.string().optional(),
});
type JobParams = z.infer<typeof JobParams>;

/** What a run records as it goes, so a resumed run can still report totals for the whole job. */
const Checkpoint = z.object({
  imported: z.number().int().min(0),
  studyUids: z.array(z.string()),
});
type Checkpoint = z.infer<typeof Checkpoint>;

/** ms between two checkpoints of a running import (each one is a database write) */
const CHECKPOINT_INTERVAL_MS = 500;

export function createImportService(deps: ImportServiceDeps): ImportService {
  const { store, jobs, events } = deps;
  if (deps.uploadsRoot) void removeAbandonedUploads(store, deps.uploadsRoot);
  const counts = new Map<string, ImportCounts & { studyUids: string[]; actor: string }>();
  const uploads = new Map<string, string>();

  // an uploaded file is named after the spool folder it was written to: show the name the user gave
  const spool = deps.uploadsRoot
    ? new RegExp(`${escapeRegExp(resolve(deps.uploadsRoot))}[\\\\/][0-9a-f]{16}[\\\\/]`, 'g')
    : null;
  const uploadLabel = (text: string): string =>
    spool ? text.replace(spool, 'uploaded file ') : text;

  const title = (paths: readonly string[]): string =>
    paths.length === 1 ? `Import ${shortName(paths[0]!)}` : `Import of ${paths.length} locations`;

  const runFor =
    (params: JobParams) =>
    async (ctx: JobContext): Promise<ImportCounts> => {
      const { jobId } = ctx;
      if (params.uploadDir) uploads.set(jobId, params.uploadDir);
      const prior = Checkpoint.safeParse(ctx.resumeFrom);
      const before: Checkpoint = prior.success ? prior.data : { imported: 0, studyUids: [] };
      const studyUids = new Set(before.studyUids);
      if (!prior.success) {
        // fail closed: an import the trail cannot record does not start
        store.transaction(() =>
          store.audit.append({
            actor: params.actor,
            action: 'import',
            objectIds: { jobId },
            details: {
              phase: 'start',
              mode: params.mode,
              inputs: params.paths.length,
              upload: params.uploadDir !== null,
            },
          }),
        );
        ctx.checkpoint(before);
      } else {
        await sweepStaleTempFiles(store.files.root);
      }

      let lastCheckpoint = performance.now();
      const tally = (p: ImportProgress): ImportCounts => ({
        imported: before.imported + p.imported,
        // files stored by the interrupted attempt read as present now; they were imported by this job
        alreadyPresent: Math.max(0, p.existing - before.imported),
        failed: p.failed,
        filesDone: p.filesDone,
        filesTotal: p.filesTotal,
        filesPerSecond: p.filesPerSecond,
      });
      const remember = (current: ImportCounts): void => {
        counts.set(jobId, { ...current, studyUids: [...studyUids], actor: params.actor });
      };
      ctx.progress.report(null, 'Looking for DICOM files…');
      const result = await importDicom(store, params.paths, {
        jobId,
        signal: ctx.signal,
        mode: params.mode,
        limits: deps.limits,
        onInserted: (studyUid) => studyUids.add(studyUid),
        onProgress: (p) => {
          const current = tally(p);
          remember(current);
          ctx.progress.report(
            p.filesTotal ? p.filesDone / p.filesTotal : null,
            progressLine(current),
          );
          if (performance.now() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) {
            lastCheckpoint = performance.now();
            ctx.checkpoint({ imported: current.imported, studyUids: [...studyUids] });
          }
        },
      });
      const final = tally(result);
      remember(final);
      if (result.cancelled) {
        ctx.checkpoint({ imported: final.imported, studyUids: [...studyUids] });
        // the manager records cancel, pause or shut-down from its own stop request
        throw ctx.signal.reason instanceof Error
          ? ctx.signal.reason
          : new NormscopeError('Cancelled', 'import stopped');
      }
      store.transaction(() => appendEnd(jobId, 'succeeded'));
      ctx.progress.report(1, describeCounts(final));
      return final;
    };

  function appendEnd(jobId: string, outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    const known = counts.get(jobId);
    store.audit.append({
      actor: known?.actor ?? 'system',
      action: 'import',
      objectIds: { jobId, studyUids: known?.studyUids ?? [] },
      details: {
        phase: 'end',
        outcome,
        imported: known?.imported ?? 0,
        alreadyPresent: known?.alreadyPresent ?? 0,
        failed: known?.failed ?? 0,
      },
    });
  }

  /** Every import job that ends: cancelled and failed ones get their end entry here, and all refresh the worklist. */
  events.subscribe((event, payload) => {
    if (event !== 'jobs.updated') return;
    const job = payload as JobInfo;
    if (job.kind !== 'import') return;
    if (job.state !== 'succeeded' && job.state !== 'failed' && job.state !== 'cancelled') return;
    if (job.state !== 'succeeded' && counts.has(job.id)) {
      try {
        store.transaction(() => appendEnd(job.id, job.state as 'failed' | 'cancelled'));
      } catch (err) {
        console.error(
          `import job ${job.id}: its end could not be audited: ${(err as Error).message}`,
        );
      }
    }
    const studyUids = counts.get(job.id)?.studyUids ?? [];
    if (studyUids.length > 0) events.publish('studies.changed', { reason: 'import', studyUids });
    const uploadDir = uploads.get(job.id);
    uploads.delete(job.id);
    if (uploadDir) void removeUpload(uploadDir, deps.uploadsRoot);
  });

  const launch = (params: JobParams): JobInfo => {
    const started = jobs.start({
      kind: 'import',
      title: params.title ?? title(params.paths),
      params,
      pausable: true,
      run: runFor(params),
    });
    // the outcome is read from the job's state; nobody awaits this promise
    started.result.catch(() => undefined);
    if (params.uploadDir) uploads.set(started.id, params.uploadDir);
    return jobs.get(started.id);
  };

  return {
    start(request) {
      const mode = request.mode ?? readSettings(store).importMode;
      return launch({
        paths: request.paths.map((p) => resolve(p)),
        mode,
        uploadDir: request.uploadDir ?? null,
        actor: request.actor ?? 'system',
        title: request.title ?? title(request.paths),
      });
    },
    errors(jobId) {
      const seen = new Set<string>();
      const out: ImportErrorInfo[] = [];
      // a resumed job walks the same files again and records their failures again: list each once
      for (const error of store.importErrors.listForJob(jobId)) {
        const key = `${error.path}\0${error.reason}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ path: uploadLabel(error.path), reason: uploadLabel(error.reason) });
      }
      return out;
    },
    counts(jobId) {
      const known = counts.get(jobId);
      if (!known) return undefined;
      const { studyUids: _s, actor: _a, ...rest } = known;
      return rest;
    },
    resumer: (raw) => ({ run: runFor(JobParams.parse(raw)), pausable: true }),
  };
}

/** "12/200 files · 85 files/s · 1 failed": what the job tray shows while it runs. */
function progressLine(c: ImportCounts): string {
  const rate = c.filesPerSecond >= 10 ? Math.round(c.filesPerSecond) : c.filesPerSecond.toFixed(1);
  return `${c.filesDone}/${c.filesTotal} files · ${rate} files/s${c.failed ? ` · ${c.failed} failed` : ''}`;
}

/** The last component of a path, for job titles (the full paths stay in the job's params). */
function shortName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** Removes an upload folder once its job has ended, and only one inside the uploads root. */
async function removeUpload(dir: string, root: string | undefined): Promise<void> {
  if (!root) return;
  const inside = relative(resolve(root), resolve(dir));
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return;
  await rm(dir, { recursive: true, force: true }).catch((err: unknown) =>
    console.error(`could not remove the upload folder ${dir}: ${(err as Error).message}`),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * At start-up: upload folders no unfinished import will read (the host went
 * down while a browser was still sending, or before the job could remove its
 * folder) are removed.
 */
async function removeAbandonedUploads(store: Pick<Store, 'jobs'>, root: string): Promise<void> {
  const wanted = new Set<string>();
  for (const job of store.jobs.listUnfinished()) {
    const parsed = JobParams.safeParse(job.params);
    if (job.kind === 'import' && parsed.success && parsed.data.uploadDir)
      wanted.add(resolve(parsed.data.uploadDir));
  }
  const startedAt = Date.now();
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = join(root, name);
    // a folder made since start-up belongs to an upload arriving now
    const made = await stat(dir).then(
      (info) => info.mtimeMs,
      () => startedAt,
    );
    if (!wanted.has(resolve(dir)) && made < startedAt) await removeUpload(dir, root);
  }
}
