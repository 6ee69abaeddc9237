import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-main/api/contract';
import { createCore } from '../../../src-main/core';
import type { Core } from '../../../src-main/core';
import { tokenCookieName } from '../../../src-main/host/access';
import { startWebHost } from '../../../src-main/host/web-host';
import type { WebHost } from '../../../src-main/host/web-host';
import { createUploadRoute, uploadsDir } from '../../../src-main/imports/upload';
import type { WrittenSeries } from '../../../src-main/ml/phantom/dicom-writer';
import { removeTempDirs, tempDir, writeSeries } from './fixtures/phantom-files';

const MAX_BYTES = 256 * 1024;
const dirs: string[] = [];
let core: Core;
let host: WebHost;
let series: WrittenSeries;

beforeAll(async () => {
  const dataDir = await tempDir(dirs);
  series = await writeSeries(await tempDir(dirs), 'P-UPLOAD', 3);
  core = await createCore({ dataDir, host: 'web' });
  host = await startWebHost({
    dispatch: core.dispatch,
    events: core.events,
    rendererDir: dataDir,
    upload: createUploadRoute({ imports: core.imports, dataDir, limits: { maxBytes: MAX_BYTES } }),
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await core?.close();
  await removeTempDirs(dirs);
});

/** The framing of src-main/imports/upload.ts: u32 name length, name, u64 size, bytes; per file. */
function framed(files: Array<{ name: string; bytes: Uint8Array }>): Buffer {
  return Buffer.concat(
    files.flatMap(({ name, bytes }) => {
      const nameBytes = Buffer.from(name, 'utf8');
      const head = Buffer.alloc(4 + nameBytes.length + 8);
      head.writeUInt32LE(nameBytes.length, 0);
      nameBytes.copy(head, 4);
      head.writeBigUInt64LE(BigInt(bytes.length), 4 + nameBytes.length);
      return [head, Buffer.from(bytes)];
    }),
  );
}

function post(body: Buffer, withToken = true): Promise<Response> {
  return fetch(`http://127.0.0.1:${host.port}/upload`, {
    method: 'POST',
    body,
    headers: withToken ? { Cookie: `${tokenCookieName(host.port)}=${host.token}` } : {},
  });
}

async function until(jobId: string, states: ReadonlyArray<JobInfo['state']>): Promise<JobInfo> {
  for (;;) {
    const job = core.jobs.get(jobId);
    if (states.includes(job.state)) return job;
    await new Promise((tick) => setTimeout(tick, 10));
  }
}

describe('POST /upload', () => {
  it('refuses a request without the token and spools nothing', async () => {
    const files = await Promise.all(
      series.files.map(async (path) => ({ name: 'a.dcm', bytes: await readFile(path) })),
    );
    const answer = await post(framed(files), false);
    expect(answer.status).toBe(401);
    expect(
      existsSync(uploadsDir(core.dataDir)) ? readdirSync(uploadsDir(core.dataDir)) : [],
    ).toEqual([]);
  });

  it('imports the uploaded files as one job, names never used as given, and removes the upload afterwards', async () => {
    const files = await Promise.all(
      series.files.map(async (path, i) => ({
        name: i === 0 ? '../../escape/../x.dcm' : `slice ${i}.dcm`,
        bytes: await readFile(path),
      })),
    );
    files.push({ name: 'notes.txt', bytes: Buffer.from('not dicom') });
    const answer = await post(framed(files));
    expect(answer.status).toBe(200);
    const job = (await answer.json()) as JobInfo;
    expect(job.kind).toBe('import');
    const done = await until(job.id, ['succeeded', 'failed', 'cancelled']);
    expect(done.message).toBe('Imported 3 instances, 1 failed');
    expect(core.store.studies.listWorklist().map((s) => s.studyUid)).toEqual([
      series.studyInstanceUid,
    ]);
    const [error] = core.imports.errors(job.id);
    // named as the user named it, not by the spool folder
    expect(error).toEqual({
      path: 'uploaded file 000004-notes.txt',
      reason: expect.stringMatching(/^uploaded file 000004-notes\.txt: not a DICOM file/),
    });
    expect(done.title).toBe('Import of 4 uploaded files');
    // the folder goes once the job has ended
    for (let i = 0; i < 100 && readdirSync(uploadsDir(core.dataDir)).length > 0; i++)
      await new Promise((tick) => setTimeout(tick, 10));
    expect(readdirSync(uploadsDir(core.dataDir))).toEqual([]);
  });

  it('refuses bodies over the size cap, declared or framed', async () => {
    const tooLong = await post(Buffer.alloc(MAX_BYTES + 1));
    expect(tooLong.status).toBe(413);
    expect(((await tooLong.json()) as { name: string }).name).toBe('Refused');

    // a small body whose frame claims a file larger than the cap
    const lying = Buffer.alloc(4 + 1 + 8);
    lying.writeUInt32LE(1, 0);
    lying.write('x', 4);
    lying.writeBigUInt64LE(BigInt(MAX_BYTES) * 4n, 5);
    const answer = await post(lying);
    expect(answer.status).toBe(413);
    expect(readdirSync(uploadsDir(core.dataDir))).toEqual([]);
    expect(core.jobs.list().filter((job) => job.kind === 'import')).toHaveLength(1);
  });
});
