import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrameMessage } from '../../../src-common/imaging/frame-format';
import { createCore } from '../../../src-main/core';
import type { Core } from '../../../src-main/core';
import { decodeFrame } from '../../../src-main/dicom/decode';
import { parseDicom } from '../../../src-main/dicom/parse';
import { startWebHost } from '../../../src-main/host/web-host';
import type { WebHost } from '../../../src-main/host/web-host';
import { tokenCookieName } from '../../../src-main/host/access';
import { freshDataDir, prepareReviewData } from './review-fixture';
import type { ReviewFixture } from './review-fixture';

let dataDir: string;
let fixture: ReviewFixture;
let core: Core;
let host: WebHost;

beforeAll(async () => {
  dataDir = await freshDataDir();
  fixture = await prepareReviewData(dataDir, { normals: 1, abnormals: 1, slices: 3, size: 64 });
  core = await createCore({ dataDir, host: 'web' });
  host = await startWebHost({
    dispatch: core.dispatch,
    events: core.events,
    rendererDir: dataDir,
    resources: core.review.resources,
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await core?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function get(path: string, withToken = true): Promise<Response> {
  return fetch(`http://127.0.0.1:${host.port}${path}`, {
    headers: withToken ? { Cookie: `${tokenCookieName(host.port)}=${host.token}` } : {},
  });
}

describe('GET /frames/<sop>/<frame>', () => {
  it('serves the stored values decodeFrame gives, with rows, columns and the header window', async () => {
    const study = fixture.studies[1]!;
    const response = await get(`/frames/${study.sopInstanceUids[1]}/0`);
    expect(response.status).toBe(200);
    const { header, values } = decodeFrameMessage(await response.arrayBuffer());
    const stored = core.store.studies.getStudy(study.studyUid)!.series[0]!.instances[1]!;
    expect(stored.sopInstanceUid).toBe(study.sopInstanceUids[1]);
    const parsed = parseDicom(await readFile(core.store.files.pathOf(stored.fileSha256!)), 'slice');
    const expected = await decodeFrame(parsed, 0);
    expect(header).toMatchObject({ rows: 64, columns: 64, dtype: 'uint16', photometric: 'MONOCHROME2', window: { center: 1300, width: 2600 } });
    expect(Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(
      Buffer.from(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength),
    )).toBe(true);
  }, 30_000);

  it('refuses requests without the token', async () => {
    const study = fixture.studies[0]!;
    expect((await get(`/frames/${study.sopInstanceUids[0]}/0`, false)).status).toBe(401);
  });

  it('refuses malformed UIDs and frame numbers, and answers 404 for unknown ones', async () => {
    expect((await get('/frames/..%2F..%2Fetc%2Fpasswd/0')).status).toBe(400);
    expect((await get('/frames/1.2.abc/0')).status).toBe(400);
    expect((await get(`/frames/${fixture.studies[0]!.sopInstanceUids[0]}/01`)).status).toBe(400);
    expect((await get('/frames/1.2.3.4/0')).status).toBe(404);
    expect((await get(`/frames/${fixture.studies[0]!.sopInstanceUids[0]}/5`)).status).toBe(404);
  });
});

describe('GET /maps/<run>/<sop>/<frame>', () => {
  it('serves the stored float16 map with its image score', async () => {
    const study = fixture.studies[1]!;
    const response = await get(`/maps/${fixture.scoringRunId}/${study.sopInstanceUids[2]}/0`);
    expect(response.status).toBe(200);
    const { header, values } = decodeFrameMessage(await response.arrayBuffer());
    expect(header).toMatchObject({ rows: 28, columns: 28, dtype: 'float16', photometric: 'MAP' });
    expect(header.imageScore).toBe(study.imageScores[2]);
    expect(Array.from(values)).toEqual(Array.from(core.store.scoring.getMap(fixture.scoringRunId, study.sopInstanceUids[2]!, 0)!.map));
  });

  it('refuses a run id that is not a uuid', async () => {
    expect((await get(`/maps/x/${fixture.studies[0]!.sopInstanceUids[0]}/0`)).status).toBe(400);
  });
});
