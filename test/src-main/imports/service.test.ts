import { readdirSync } from 'node:fs';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-main/api/contract';
import { EventBus } from '../../../src-main/api/event-bus';
import { createImportService } from '../../../src-main/imports/service';
import type { ImportService } from '../../../src-main/imports/service';
import { JobManager } from '../../../src-main/jobs/job-manager';
import { FrameService } from '../../../src-main/review/frames';
import { reviewTasks } from '../../../src-main/review/decode-frame-task';
import { openStore } from '../../../src-main/store';
import type { Store } from '../../../src-main/store';
import { removeTempDirs, tempDir, writeSeries } from './fixtures/phantom-files';

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  await removeTempDirs(dirs);
});

interface Harness {
  store: Store;
  jobs: JobManager;
  imports: ImportService;
  events: Array<{ event: string; payload: unknown }>;
}

function harness(uploadsRoot?: string): Harness {
  const store = openStore({ memory: true });
  stores.push(store);
  const bus = new EventBus();
  const events: Harness['events'] = [];
  bus.subscribe((event, payload) => events.push({ event, payload }));
  // every progress report is delivered, so the test sees each file
  const jobs = new JobManager({ events: bus, persistence: store.jobs, progressIntervalMs: 0 });
  return {
    store,
    jobs,
    events,
    imports: createImportService({ store, jobs, events: bus, uploadsRoot }),
  };
}

function ended(h: Harness, jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const job = h.jobs.get(jobId);
      if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') {
        clearInterval(poll);
        resolve(job);
      }
    }, 10);
  });
}

function importAudit(
  store: Store,
): Array<{ objectIds: Record<string, unknown>; details: Record<string, unknown> }> {
  return store.db
    .prepare<[], { object_ids: string; details: string }>(
      "SELECT object_ids, details FROM audit_log WHERE action = 'import' ORDER BY seq",
    )
    .all()
    .map((row) => ({
      objectIds: JSON.parse(row.object_ids) as Record<string, unknown>,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
}

describe('an import job', () => {
  it('reports files done of total with a rate, lists the corrupt file, audits start and end, and announces the study', async () => {
    const h = harness();
    const folder = await tempDir(dirs);
    const series = await writeSeries(folder, 'P-OK', 5);
    await writeFile(
      join(folder, 'broken.dcm'),
      Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(40, 0xff)]),
    );

    const job = h.imports.start({ paths: [folder] });
    expect(job.kind).toBe('import');
    const done = await ended(h, job.id);

    expect(done.state).toBe('succeeded');
    expect(done.message).toBe('Imported 5 instances, 1 failed');
    const messages = h.events
      .filter((e) => e.event === 'jobs.updated' && (e.payload as JobInfo).id === job.id)
      .map((e) => (e.payload as JobInfo).message);
    expect(messages.some((m) => /^6\/6 files · [\d.]+ files\/s · 1 failed$/.test(m))).toBe(true);

    expect(h.store.studies.listWorklist().map((s) => s.studyUid)).toEqual([
      series.studyInstanceUid,
    ]);
    const errors = h.imports.errors(job.id);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe(join(folder, 'broken.dcm'));

    const audit = importAudit(h.store);
    expect(audit.map((a) => a.details.phase)).toEqual(['start', 'end']);
    expect(audit[1]).toMatchObject({
      objectIds: { jobId: job.id, studyUids: [series.studyInstanceUid] },
      details: { outcome: 'succeeded', imported: 5, alreadyPresent: 0, failed: 1 },
    });
    expect(
      h.events.filter((e) => e.event === 'studies.changed').map((e) => e.payload),
    ).toContainEqual({
      reason: 'import',
      studyUids: [series.studyInstanceUid],
    });

    // the same folder again: a no-op for the instances, the broken file reported again
    const again = await ended(h, h.imports.start({ paths: [folder] }).id);
    expect(again.message).toBe('Imported 0 instances, 5 already present, 1 failed');
    expect(h.store.db.prepare('SELECT count(*) AS n FROM instances').get()).toEqual({ n: 5 });
  });

  it('stops between files when cancelled, keeps what it imported and audits the cancel', async () => {
    const h = harness();
    const folder = await tempDir(dirs);
    // enough files that the job is still running when its progress first shows 3 done
    // (progress is throttled, and four files are imported at once)
    await writeSeries(folder, 'P-CANCEL', 60);
    const job = h.imports.start({ paths: [folder] });
    h.events.length = 0;
    const stop = setInterval(() => {
      const now = h.jobs.get(job.id);
      if (now.state === 'running' && Number(/^(\d+)\//.exec(now.message)?.[1] ?? 0) >= 3) {
        clearInterval(stop);
        h.jobs.cancel(job.id);
      }
    }, 0);
    const done = await ended(h, job.id);
    clearInterval(stop);

    expect(done.state).toBe('cancelled');
    const stored = (
      h.store.db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }
    ).n;
    expect(stored).toBeGreaterThanOrEqual(3);
    expect(stored).toBeLessThan(60);
    const end = importAudit(h.store).at(-1)!;
    expect(end.details).toMatchObject({ phase: 'end', outcome: 'cancelled', imported: stored });
  });

  it('in reference mode leaves the files where they are, and a file gone later is a clear NotFound', async () => {
    const h = harness();
    const folder = await tempDir(dirs);
    const series = await writeSeries(folder, 'P-REF', 3);
    const done = await ended(h, h.imports.start({ paths: [folder], mode: 'reference' }).id);
    expect(done.message).toBe('Imported 3 instances');

    const rows = h.store.db
      .prepare('SELECT file_sha256, source_path FROM instances ORDER BY source_path')
      .all();
    expect(rows).toEqual(series.files.map((path) => ({ file_sha256: null, source_path: path })));
    // nothing copied into the content store
    expect(readdirSync(h.store.files.root).filter((name) => /^[0-9a-f]{2}$/.test(name))).toEqual(
      [],
    );

    const context = { signal: new AbortController().signal, progress: { report: () => {} } };
    const frames = new FrameService(h.store, (input) =>
      reviewTasks['dicom.decodeFrame'](input, context),
    );
    await expect(frames.readFrameBytes(series.sopInstanceUids[0]!, 0)).resolves.toBeInstanceOf(
      Uint8Array,
    );
    await rm(series.files[1]!);
    const gone = (() => {
      try {
        return frames.readFrameBytes(series.sopInstanceUids[1]!, 0);
      } catch (err) {
        return Promise.reject(err as Error);
      }
    })();
    await expect(gone).rejects.toMatchObject({
      name: 'NotFound',
      message: expect.stringContaining(series.files[1]!),
    });

    // re-importing referenced files skips them by path, without reading them
    const again = await ended(h, h.imports.start({ paths: [folder], mode: 'reference' }).id);
    expect(again.message).toBe('Imported 0 instances, 2 already present');
  });

  it('removes, at start-up, upload folders that no unfinished import will read', async () => {
    const uploads = await tempDir(dirs);
    const abandoned = join(uploads, '0123456789abcdef');
    await mkdir(abandoned);
    await writeFile(join(abandoned, '000001-half.dcm'), 'the host stopped while this arrived');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(abandoned, hourAgo, hourAgo);
    harness(uploads);
    for (let i = 0; i < 100 && readdirSync(uploads).length > 0; i++)
      await new Promise((tick) => setTimeout(tick, 10));
    expect(readdirSync(uploads)).toEqual([]);
  });
});
