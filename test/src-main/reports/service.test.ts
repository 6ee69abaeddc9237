/**
 * Reports as jobs: the request is checked before the job starts (dates,
 * output folder, files that would be replaced), the job writes the files and
 * its result is kept for reports.result.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src-main/api/event-bus';
import { JobManager } from '../../../src-main/jobs/job-manager';
import { ReportsService, requireReportJob } from '../../../src-main/reports/service';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';

let dataDir: string;
let store: Store;
let jobs: JobManager;
let service: ReportsService;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'normscope-report-service-'));
  store = openStore({ dataDir });
  jobs = new JobManager({ events: new EventBus() });
  service = new ReportsService({
    store,
    jobs,
    decode: () => Promise.reject(new Error('no frames in this test')),
    normscopeVersion: 'test',
  });
});

afterEach(async () => {
  await jobs.shutdown();
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const day = '2026-03-04';

describe('ReportsService', () => {
  it('runs a report as an export job and keeps its result', async () => {
    const pdfPath = join(service.outputDir(), 'empty.pdf');
    const { jobId } = service.start({
      from: day,
      to: day,
      deidentify: false,
      overwrite: false,
      pdfPath,
    });
    expect(jobs.list().find((job) => job.id === jobId)?.kind).toBe('export');
    while (!['succeeded', 'failed'].includes(jobs.list().find((job) => job.id === jobId)!.state)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(jobs.list().find((job) => job.id === jobId)?.state).toBe('succeeded');
    expect(requireReportJob(service, jobs, jobId)).toMatchObject({
      jobId,
      studies: 0,
      files: [{ kind: 'pdf', path: pdfPath }],
    });
    expect(existsSync(pdfPath)).toBe(true);
    expect(store.audit.list().at(-1)?.action).toBe('export');
  });

  it('refuses before starting: existing files (Conflict naming them), bad dates, a missing folder', async () => {
    const pdfPath = join(dataDir, 'exists.pdf');
    const csvPath = join(dataDir, 'exists.csv');
    await writeFile(pdfPath, 'old');
    await writeFile(csvPath, 'old');
    const request = { from: day, to: day, deidentify: false, overwrite: false, pdfPath, csvPath };
    expect(() => service.start(request)).toThrow(
      expect.objectContaining({ name: 'Conflict', details: { existing: [pdfPath, csvPath] } }),
    );
    expect(() => service.start({ ...request, from: '2026-13-01', overwrite: true })).toThrow(
      expect.objectContaining({ name: 'InvalidRequest' }),
    );
    expect(() =>
      service.start({
        ...request,
        pdfPath: join(dataDir, 'no-such-folder', 'r.pdf'),
        csvPath: undefined,
      }),
    ).toThrow(/folder of .* does not exist/);
    expect(jobs.list()).toEqual([]);
    expect(() => requireReportJob(service, jobs, 'not-a-job')).toThrow(
      expect.objectContaining({ name: 'NotFound' }),
    );
  });
});
