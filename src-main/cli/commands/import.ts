/**
 * `normscope import <path...>`: imports files, folders, zip archives and
 * DICOMDIRs into the data directory through the same job as the window's
 * Import button, with progress on stderr and a summary on stdout.
 */
import type { Command } from 'commander';
import type { ImportErrorInfo, JobInfo } from '../../api/contract';
import { fromErrorValue, NormscopeError } from '../../api/errors';
import { createCore } from '../../core';
import type { Core } from '../../core';
import { describeCounts, type ImportCounts } from '../../imports/summary';
import { dataDirFrom, dataDirOption, jsonOption, printResult } from '../options';

interface ImportOptions {
  dataDir?: string;
  json?: boolean;
}

export interface ImportSummary extends ImportCounts {
  jobId: string;
  state: JobInfo['state'];
  seconds: number;
  failures: ImportErrorInfo[];
}

/** ms between two progress lines on stderr */
const PROGRESS_EVERY_MS = 1000;

const EXIT_HELP = `
Paths may be DICOM files, folders (searched recursively), zip archives and
DICOMDIR files. Instances already in the data directory are skipped. Files
are copied into the data directory, or referenced in place when the setting
importMode is 'reference' (zip entries are always copied).

Exit status: 0 when the import ran, even if some files failed (they are
listed with their reasons); 1 when files failed and none could be imported
(nor were already present), when the import was cancelled (Ctrl-C), or when
it could not run at all; 2 for a usage error.`;

export function register(program: Command): void {
  program
    .command('import')
    .description('import DICOM files, folders, zip archives and DICOMDIRs')
    .argument('<path...>', 'files, folders, zip archives or DICOMDIRs')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .addHelpText('after', EXIT_HELP)
    .action(runImport);
}

const ENDED: ReadonlySet<JobInfo['state']> = new Set(['succeeded', 'failed', 'cancelled']);

/** Resolves with the job once it has ended; reports its progress on stderr unless `quiet`. */
function followJob(core: Core, jobId: string, quiet: boolean): Promise<JobInfo> {
  return new Promise((resolve) => {
    let lastLine = 0;
    const stop = core.events.subscribe((event, payload) => {
      if (event !== 'jobs.updated') return;
      const job = payload as JobInfo;
      if (job.id !== jobId) return;
      if (ENDED.has(job.state)) {
        stop();
        resolve(job);
      } else if (!quiet && job.state === 'running' && Date.now() - lastLine >= PROGRESS_EVERY_MS) {
        lastLine = Date.now();
        process.stderr.write(`import: ${job.message}\n`);
      }
    });
    const now = core.jobs.get(jobId);
    if (ENDED.has(now.state)) {
      stop();
      resolve(now);
    }
  });
}

/** Imports left running by an earlier, interrupted process, which this core has just resumed. */
function resumedImports(core: Core, ownJobId: string): JobInfo[] {
  return core.jobs
    .list()
    .filter(
      (job) =>
        job.kind === 'import' &&
        job.id !== ownJobId &&
        !ENDED.has(job.state) &&
        job.state !== 'paused',
    );
}

function formatSummary(summary: ImportSummary): string {
  const lines = [
    `${describeCounts(summary)} (${summary.filesDone} files in ${summary.seconds.toFixed(1)} s, ${summary.filesPerSecond.toFixed(0)} files/s)`,
  ];
  if (summary.state === 'cancelled')
    lines.push('the import was cancelled; run it again to continue');
  if (summary.failures.length > 0) {
    lines.push(
      `${summary.failures.length} file${summary.failures.length === 1 ? '' : 's'} could not be imported:`,
    );
    for (const failure of summary.failures) lines.push(`  ${failure.reason}`);
  }
  return lines.join('\n');
}

async function runImport(paths: string[], opts: ImportOptions): Promise<void> {
  const core = await createCore({ dataDir: dataDirFrom(opts), host: 'cli' });
  const quiet = opts.json === true;
  try {
    const started = await core.dispatch('imports.start', { paths }, { transport: 'cli' });
    if (!started.ok) throw fromErrorValue(started.error);
    const jobId = (started.result as JobInfo).id;
    const startedAt = performance.now();
    for (const job of resumedImports(core, jobId)) {
      if (!quiet)
        process.stderr.write(
          `import: also finishing an import interrupted earlier (job ${job.id})\n`,
        );
    }
    const cancel = (): void => {
      for (const job of core.jobs.list())
        if (job.kind === 'import' && !ENDED.has(job.state)) core.jobs.cancel(job.id);
    };
    process.once('SIGINT', cancel);
    let job: JobInfo;
    try {
      const others = resumedImports(core, jobId).map((other) => followJob(core, other.id, true));
      job = await followJob(core, jobId, quiet);
      await Promise.all(others);
    } finally {
      process.off('SIGINT', cancel);
    }
    if (job.state === 'failed')
      throw new NormscopeError('Internal', job.error?.message ?? 'the import failed');
    const counts = core.imports.counts(jobId) ?? {
      imported: 0,
      alreadyPresent: 0,
      failed: 0,
      filesDone: 0,
      filesTotal: 0,
      filesPerSecond: 0,
    };
    const summary: ImportSummary = {
      jobId,
      state: job.state,
      ...counts,
      seconds: (performance.now() - startedAt) / 1000,
      failures: core.imports.errors(jobId),
    };
    printResult(opts.json, summary, () => formatSummary(summary));
    const nothingUsable =
      summary.imported + summary.alreadyPresent === 0 && summary.failures.length > 0;
    if (job.state === 'cancelled' || nothingUsable) process.exitCode = 1;
  } finally {
    await core.close();
  }
}
