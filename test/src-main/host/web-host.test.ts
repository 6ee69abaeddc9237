import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AppStatus, JobInfo, Settings } from '../../../src-main/api/contract';
import { createDispatcher, type Handlers } from '../../../src-main/api/dispatch';
import { NormscopeError } from '../../../src-main/api/errors';
import { EventBus } from '../../../src-main/api/event-bus';
import { startWebHost, type WebHost } from '../../../src-main/host/web-host';

const STATUS: AppStatus = {
  version: '0.0.0-test',
  host: 'web',
  dataDir: '/tmp/x',
  backbone: null,
  activeModel: null,
  provider: { active: 'cpu', available: ['cpu'] },
  database: { schemaVersion: 1, integrity: 'ok' },
};
const SETTINGS: Settings = { importMode: 'copy', intensityWindow: 'percentile', provider: 'auto', threads: 0 };
// the contract grows as features land; these tests only need the fields and methods below
const JOB = {
  id: 'j1',
  kind: 'import',
  title: 'Import',
  state: 'running',
  progress: 0.5,
  message: '',
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
} as JobInfo;

const handlers: Partial<Handlers> = {
  'app.status': () => STATUS,
  'jobs.list': () => [],
  'jobs.cancel': ({ jobId }) => {
    throw new NormscopeError('NotFound', `No job ${jobId}`);
  },
  'settings.get': () => SETTINGS,
  'settings.update': (patch) => ({ ...SETTINGS, ...patch }),
};
const dispatch = createDispatcher(handlers as Handlers);

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP GET with full control of the path and headers (fetch would normalise both). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('web host', () => {
  let dir: string;
  let rendererDir: string;
  let host: WebHost;
  const events = new EventBus();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'normscope-host-'));
    rendererDir = join(dir, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>fake renderer</title>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'outside the renderer folder');
    host = await startWebHost({ dispatch, events, rendererDir });
  });

  afterAll(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves index.html with the token and sets the HttpOnly, SameSite=Strict cookie and a strict CSP', async () => {
    const res = await get(host.port, `/?token=${host.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('fake renderer');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves assets to the cookie that the page received', async () => {
    const first = await get(host.port, `/?token=${host.token}`);
    const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
    const res = await get(host.port, '/assets/app.js', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses requests without the token or with a wrong one (401)', async () => {
    expect((await get(host.port, '/')).status).toBe(401);
    expect((await get(host.port, '/assets/app.js')).status).toBe(401);
    expect((await get(host.port, `/?token=${'x'.repeat(43)}`)).status).toBe(401);
    expect((await get(host.port, '/', { cookie: `normscope_token_${host.port}=wrong` })).status).toBe(401);
  });

  it('refuses a foreign Origin or Host on HTTP (403), even with the token', async () => {
    const withToken = `/?token=${host.token}`;
    expect((await get(host.port, withToken, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(host.port, withToken, { origin: `http://127.0.0.1:${host.port + 1}` })).status).toBe(403);
    expect((await get(host.port, withToken, { host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await get(host.port, withToken, { origin: `http://localhost:${host.port}` })).status).toBe(200);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%5c..%5csecret.txt', '/%00index.html'])(
    'refuses the path escape %s',
    async (path) => {
      const res = await get(host.port, `${path}?token=${host.token}`);
      expect(res.status).not.toBe(200);
      expect(res.body).not.toContain('outside the renderer folder');
    },
  );

  it('answers app.status over the WebSocket', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    const reply = nextMessage(ws);
    ws.send(JSON.stringify({ id: 7, method: 'app.status', params: {} }));
    expect(await reply).toEqual({ id: 7, ok: true, result: STATUS });
    ws.close();
  });

  it('refuses a WebSocket without the token (401) or from a foreign Origin (403)', async () => {
    await expect(openSocket(`ws://127.0.0.1:${host.port}/api`)).rejects.toThrow('HTTP 401');
    await expect(
      openSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: 'http://evil.example' }),
    ).rejects.toThrow('HTTP 403');
  });

  it('answers invalid requests with InvalidRequest error values and keeps serving', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    const ask = async (frame: string) => {
      const reply = nextMessage(ws);
      ws.send(frame);
      return reply;
    };
    const unknown = await ask(JSON.stringify({ id: 1, method: 'no.such', params: {} }));
    expect(unknown).toMatchObject({ id: 1, ok: false, error: { name: 'InvalidRequest' } });
    expect(JSON.stringify(unknown)).toContain('no.such');

    const badParams = await ask(JSON.stringify({ id: 2, method: 'settings.update', params: { threads: -3 } }));
    expect(badParams).toMatchObject({ id: 2, ok: false, error: { name: 'InvalidRequest' } });
    expect(JSON.stringify(badParams)).toContain('threads');

    expect(await ask('{not json')).toMatchObject({ id: null, ok: false, error: { name: 'InvalidRequest' } });
    expect(await ask(JSON.stringify({ method: 'app.status' }))).toMatchObject({
      id: null,
      ok: false,
      error: { name: 'InvalidRequest' },
    });
    const big = await ask(JSON.stringify({ id: 3, method: 'app.status', params: { pad: 'x'.repeat(1_100_000) } }));
    expect(big).toMatchObject({ id: null, ok: false, error: { name: 'InvalidRequest' } });
    expect(String((big.error as { message: string }).message)).toMatch(/exceeds the limit/);

    const handlerError = await ask(JSON.stringify({ id: 4, method: 'jobs.cancel', params: { jobId: 'nope' } }));
    expect(handlerError).toEqual({ id: 4, ok: false, error: { name: 'NotFound', message: 'No job nope' } });

    expect(await ask(JSON.stringify({ id: 5, method: 'app.status' }))).toEqual({ id: 5, ok: true, result: STATUS });
    ws.close();
  });

  it('pushes events to every connected socket and stops after it closes', async () => {
    const a = await openSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    const b = await openSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    const gotA = nextMessage(a);
    const gotB = nextMessage(b);
    events.publish('jobs.updated', JOB);
    expect(await gotA).toEqual({ event: 'jobs.updated', payload: JOB });
    expect(await gotB).toEqual({ event: 'jobs.updated', payload: JOB });
    a.close();
    b.close();
    await new Promise((r) => b.once('close', r));
  });
});
