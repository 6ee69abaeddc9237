/**
 * Reports as jobs: `start` checks the request (dates, filters, output paths,
 * files that would be overwritten) before anything runs, so the window hears
 * of a problem at once; the job builds the report, writes its files and keeps
 * the result for `result(jobId)`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportRequest, ReportResult } from '../api/contract/reports';
import { NormscopeError } from '../api/errors';
import type { JobManager } from '../jobs/job-manager';
import type { WorkerSupervisor } from '../jobs/supervisor';
import type { Store } from '../store/store';
import { buildReport, reportWindow } from './build';
import type { ReportStore } from './build';
import { exportReport, refuseExisting, resolveOutputs } from './export';
import type { ReportOutputs } from './export';
import type { DecodeFrame } from './key-images';

export interface ReportsServiceOptions {
  store: ReportStore & Pick<Store, 'transaction' | 'dataDir'>;
  jobs: Pick<JobManager, 'start'>;
  decode: DecodeFrame;
  normscopeVersion: string;
}

/** finished results kept for `result` */
const KEEP_RESULTS = 50;

export class ReportsService {
  private readonly results = new Map<string, ReportResult>();

  constructor(private readonly options: ReportsServiceOptions) {}

  /** `<dataDir>/exports`: where the Reports page proposes to write. */
  outputDir(): string {
    const dir = join(this.options.store.dataDir ?? '.', 'exports');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  scopeOptions(): {
    reviewers: string[];
    modelVersions: Array<{ id: string; name: string }>;
    outputDir: string;
  } {
    const { store } = this.options;
    return {
      reviewers: store.reviewers.list().map((r) => r.name),
      modelVersions: store.models.listModelVersions().map((m) => ({ id: m.id, name: m.name })),
      outputDir: this.outputDir(),
    };
  }

  start(request: ReportRequest): { jobId: string } {
    reportWindow(request);
    const outputs: ReportOutputs = {
      pdf: request.pdfPath,
      csv: request.csvPath,
      json: request.jsonPath,
    };
    refuseExisting(resolveOutputs(outputs), request.overwrite);
    const { store, decode, normscopeVersion } = this.options;
    const started = this.options.jobs.start({
      kind: 'export',
      title: `Audit report ${request.from} to ${request.to}${request.deidentify ? ' (de-identified)' : ''}`,
      params: { from: request.from, to: request.to },
      run: async ({ signal, progress }) => {
        const built = await buildReport(store, request, {
          decode,
          normscopeVersion,
          signal,
          onProgress: (fraction, message) => progress.report(0.9 * fraction, message),
        });
        signal.throwIfAborted();
        progress.report(0.92, 'Writing the files');
        const files = await exportReport(store, built, outputs, {
          overwrite: request.overwrite,
          actor: request.requestedBy ?? 'system',
        });
        const result: ReportResult = {
          jobId: started.id,
          contentSha256: built.contentSha256,
          files,
          studies: built.model.rows.length,
          keyImages: built.model.keyImages.length,
          keyImageProblems: built.model.keyImageProblems.length,
          deidentified: built.model.scope.deidentified,
          audit: built.model.audit,
        };
        this.keep(result);
        return result;
      },
    });
    // the outcome is read through jobs.updated and result(); the promise's rejection is the job's failure
    started.result.catch(() => undefined);
    return { jobId: started.id };
  }

  result(jobId: string): ReportResult | null {
    return this.results.get(jobId) ?? null;
  }

  private keep(result: ReportResult): void {
    this.results.set(result.jobId, result);
    while (this.results.size > KEEP_RESULTS)
      this.results.delete(this.results.keys().next().value as string);
  }
}

/** NotFound for a job id that never was a report of this session. */
export function requireReportJob(
  service: ReportsService,
  jobs: { list(): Array<{ id: string; kind: string }> },
  jobId: string,
): ReportResult | null {
  const result = service.result(jobId);
  if (result) return result;
  const job = jobs.list().find((j) => j.id === jobId);
  if (!job || job.kind !== 'export')
    throw new NormscopeError('NotFound', `job ${jobId} is not a report of this session`);
  return null;
}

/** a decode takes milliseconds; a file that keeps a codec busy this long gets no key image */
const DECODE_TIMEOUT_MS = 30_000;
const DECODE_MEMORY_MB = 1024;

/** Key-image frames decoded by the `dicom.decodeFrame` task in a supervised worker (the files are untrusted). */
export function workerDecoder(workers: Pick<WorkerSupervisor, 'run'>): DecodeFrame {
  return (input) =>
    workers.run('dicom.decodeFrame', input, {
      timeoutMs: DECODE_TIMEOUT_MS,
      memoryMb: DECODE_MEMORY_MB,
    });
}
