import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NormscopeError } from '../../../src-main/api/errors';
import { DicomwebSession, normaliseBaseUrl } from '../../../src-main/pacs/dicomweb-session';

let server: Server | null = null;

/** A loopback HTTP server answering with `handler`; returns its DICOMweb root. */
async function fakePacs(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
});

async function failure(promise: Promise<unknown>): Promise<NormscopeError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(NormscopeError);
    return err as NormscopeError;
  }
  throw new Error('expected a failure');
}

const FAST = { backoffMs: 5, timeoutMs: 2_000 };

describe('DicomwebSession: what a misbehaving PACS looks like to the user', () => {
  it('reports malformed JSON as such, without retrying', async () => {
    let calls = 0;
    const url = await fakePacs((_req, res) => {
      calls++;
      res
        .writeHead(200, { 'Content-Type': 'application/dicom+json' })
        .end('[{"0020000D": {"vr": "UI", "Val');
    });
    const err = await failure(
      new DicomwebSession({ baseUrl: url, auth: { kind: 'none' } }, FAST).searchForStudies({}),
    );
    expect(err.name).toBe('Unavailable');
    expect(err.message).toMatch(/malformed JSON/);
    expect(calls).toBe(1);
  });

  it('refuses JSON that is not a list of datasets', async () => {
    const url = await fakePacs((_req, res) => res.writeHead(200).end('{"studies": 3}'));
    const err = await failure(
      new DicomwebSession({ baseUrl: url, auth: { kind: 'none' } }, FAST).searchForStudies({}),
    );
    expect(err.message).toMatch(/not a list of DICOM datasets/);
  });

  it('says "wrong credentials" for 401 and 403, sends the token only in the header, never in the message', async () => {
    let seen = '';
    const url = await fakePacs((req, res) => {
      seen = req.headers.authorization ?? '';
      res.writeHead(req.url?.includes('limit=2') ? 403 : 401).end();
    });
    const session = new DicomwebSession(
      { baseUrl: url, auth: { kind: 'bearer', token: 'tok-123' } },
      FAST,
    );
    const unauthorized = await failure(session.searchForStudies({ limit: '1' }));
    expect(seen).toBe('Bearer tok-123');
    expect(unauthorized).toMatchObject({ name: 'Refused' });
    expect(unauthorized.message).toMatch(/refused the credentials \(HTTP 401\)/);
    const forbidden = await failure(session.searchForStudies({ limit: '2' }));
    expect(forbidden.message).toMatch(/HTTP 403.*wrong credentials/);
    expect(`${unauthorized.message}${forbidden.message}`).not.toContain('tok-123');
  });

  it('retries transient server errors with backoff and then succeeds', async () => {
    let calls = 0;
    const url = await fakePacs((_req, res) => {
      calls++;
      if (calls < 3) res.writeHead(503).end();
      else res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('[]');
    });
    expect(
      await new DicomwebSession({ baseUrl: url, auth: { kind: 'none' } }, FAST).searchForStudies(
        {},
      ),
    ).toEqual([]);
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt and names the status', async () => {
    let calls = 0;
    const url = await fakePacs((_req, res) => {
      calls++;
      res.writeHead(502).end();
    });
    const err = await failure(
      new DicomwebSession(
        { baseUrl: url, auth: { kind: 'none' } },
        { ...FAST, attempts: 2 },
      ).searchForStudies({}),
    );
    expect(err.message).toMatch(/answered HTTP 502/);
    expect(calls).toBe(2);
  });

  it('says when a server does not answer in time', async () => {
    const url = await fakePacs(() => undefined); // accepts, never answers
    const started = Date.now();
    const err = await failure(
      new DicomwebSession(
        { baseUrl: url, auth: { kind: 'none' } },
        { timeoutMs: 200, attempts: 2, backoffMs: 5 },
      ).searchForStudies({}),
    );
    expect(err.name).toBe('Unavailable');
    expect(err.message).toMatch(/did not answer within 0.2 s/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('says when nothing listens at the address', async () => {
    const url = await fakePacs(() => undefined);
    server!.close();
    await new Promise((r) => setTimeout(r, 20));
    const err = await failure(
      new DicomwebSession(
        { baseUrl: url, auth: { kind: 'none' } },
        { ...FAST, attempts: 1 },
      ).searchForStudies({}),
    );
    expect(err.message).toMatch(/cannot reach 127\.0\.0\.1:\d+ \(connection refused/);
  });

  it('treats a multipart answer cut short as incomplete, not as an instance', async () => {
    let calls = 0;
    const url = await fakePacs((_req, res) => {
      calls++;
      res.writeHead(200, {
        'Content-Type': 'multipart/related; type="application/dicom"; boundary=XYZ',
      });
      // the first part's headers and some bytes, then the connection ends without a closing boundary
      res.end('--XYZ\r\nContent-Type: application/dicom\r\n\r\n' + 'DICM'.repeat(50));
    });
    const err = await failure(
      new DicomwebSession(
        { baseUrl: url, auth: { kind: 'none' } },
        { ...FAST, attempts: 2 },
      ).retrieveInstance({
        studyInstanceUID: '1.2',
        seriesInstanceUID: '1.2.3',
        sopInstanceUID: '1.2.3.4',
      }),
    );
    expect(err.message).toMatch(/incomplete or malformed multipart answer/);
    expect(calls).toBe(2);
  });

  it('does not hang on a multipart answer whose parser throws (no part header at all)', async () => {
    const url = await fakePacs((_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'multipart/related; type="application/dicom"; boundary=XYZ',
      });
      res.end('garbage without any header separator');
    });
    const err = await failure(
      new DicomwebSession(
        { baseUrl: url, auth: { kind: 'none' } },
        { ...FAST, attempts: 1 },
      ).retrieveInstance({
        studyInstanceUID: '1.2',
        seriesInstanceUID: '1.2.3',
        sopInstanceUID: '1.2.3.4',
      }),
    );
    expect(err.message).toMatch(
      /malformed multipart answer \(Response message has no multipart mime header\)/,
    );
  });

  it('is cancelled by its signal, also while waiting to retry', async () => {
    const url = await fakePacs((_req, res) => res.writeHead(503).end());
    const controller = new AbortController();
    const pending = new DicomwebSession(
      { baseUrl: url, auth: { kind: 'none' } },
      { backoffMs: 10_000 },
    ).searchForStudies({}, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect((await failure(pending)).name).toBe('Cancelled');
  });

  it('refuses URLs it cannot use, with the reason', () => {
    expect(normaliseBaseUrl('http://pacs.example:8042/dicom-web/')).toBe(
      'http://pacs.example:8042/dicom-web',
    );
    expect(() => normaliseBaseUrl('ftp://pacs')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => normaliseBaseUrl('http://u:p@pacs/dicom-web')).toThrow(/not in the URL/);
    expect(() => normaliseBaseUrl('pacs:8042')).toThrow();
  });
});
