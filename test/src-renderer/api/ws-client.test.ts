import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { NormscopeError } from '../../../src-main/api/errors';
import type { ConnectionState } from '../../../src-renderer/api/transport';
import { WsClient } from '../../../src-renderer/api/ws-client';
import type { SocketFactory } from '../../../src-renderer/api/ws-client';

/** The `ws` package's client in the shape the WsClient expects (the browser's WebSocket in the app). */
const nodeSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  let closed = false;
  socket.on('open', () => handlers.open());
  socket.on('message', (data, isBinary) => {
    if (!isBinary) handlers.message(String(data));
  });
  socket.on('close', (code) => {
    if (!closed) handlers.close(code);
    closed = true;
  });
  socket.on('error', () => {
    if (!closed) handlers.close(1006);
    closed = true;
  });
  return { send: (text) => socket.send(text), close: () => socket.close() };
};

type Reply = (message: { id: number; method: string; params: unknown }, socket: WebSocket) => void;

/** A loopback server answering with `reply`; `port` may be given to come back on the same address. */
async function startServer(reply: Reply, port = 0) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    socket.on('message', (data) => reply(JSON.parse(String(data)), socket));
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    pushToAll(message: unknown) {
      for (const client of server.clients) client.send(JSON.stringify(message));
    },
    /** drops every connection abruptly and stops listening */
    async stop() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const echo: Reply = (message, socket) =>
  socket.send(JSON.stringify({ id: message.id, ok: true, result: { method: message.method, params: message.params } }));

function waitForState(client: WsClient, wanted: ConnectionState): Promise<void> {
  if (client.connectionState() === wanted) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.onConnectionChange((state) => {
      if (state === wanted) {
        off();
        resolve();
      }
    });
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(port: number, options: { initialBackoffMs?: number } = {}) {
  const c = new WsClient({
    url: `ws://127.0.0.1:${port}/`,
    label: `127.0.0.1:${port}`,
    connect: nodeSocket,
    initialBackoffMs: options.initialBackoffMs ?? 20,
    maxBackoffMs: 200,
  });
  cleanups.push(() => c.close());
  return c;
}

describe('WsClient', () => {
  it('matches answers to their calls even when they arrive out of order', async () => {
    const server = await startServer((message, socket) => {
      // answer the first call last
      const delay = message.method === 'slow' ? 50 : 0;
      setTimeout(() => socket.send(JSON.stringify({ id: message.id, ok: true, result: message.method })), delay);
    });
    cleanups.push(() => server.stop());
    const c = client(server.port);
    const results = await Promise.all([c.call('slow', {}), c.call('fast', {}), c.call('other', {})]);
    expect(results).toEqual(['slow', 'fast', 'other']);
  });

  it('sends calls made before the socket opened once it opens', async () => {
    const server = await startServer(echo);
    cleanups.push(() => server.stop());
    const c = client(server.port);
    expect(c.connectionState()).toBe('connecting');
    await expect(c.call('settings.get', { a: 1 })).resolves.toEqual({ method: 'settings.get', params: { a: 1 } });
    expect(c.connectionState()).toBe('open');
  });

  it('rejects with the error name and message the host sent', async () => {
    const server = await startServer((message, socket) =>
      socket.send(
        JSON.stringify({
          id: message.id,
          ok: false,
          error: { name: 'InvalidRequest', message: 'threads: Too big', details: { issues: [{ path: ['threads'] }] } },
        }),
      ),
    );
    cleanups.push(() => server.stop());
    const error = (await client(server.port).call('settings.update', { threads: 999 }).catch((e: unknown) => e)) as NormscopeError;
    expect(error.name).toBe('InvalidRequest');
    expect(error.message).toBe('threads: Too big');
    expect(error.details).toEqual({ issues: [{ path: ['threads'] }] });
  });

  it('delivers pushed events to subscribers until they unsubscribe', async () => {
    const server = await startServer(echo);
    cleanups.push(() => server.stop());
    const c = client(server.port);
    const seen: [string, unknown][] = [];
    const off = c.subscribe((event, payload) => seen.push([event, payload]));
    await c.call('app.status', {});
    server.pushToAll({ event: 'jobs.updated', payload: { id: 'j1' } });
    await c.call('app.status', {}); // the push was sent before this answer, so it has arrived
    off();
    server.pushToAll({ event: 'jobs.updated', payload: { id: 'j2' } });
    await c.call('app.status', {});
    expect(seen).toEqual([['jobs.updated', { id: 'j1' }]]);
  });

  it('rejects unanswered calls with a clear error when the socket closes, then reconnects', async () => {
    const silent = await startServer(() => {});
    const port = silent.port;
    const c = client(port);
    const states: ConnectionState[] = [];
    c.onConnectionChange((s) => states.push(s));
    await waitForState(c, 'open');

    const pending = c.call('jobs.list', {}).then(
      () => null,
      (e: unknown) => e as NormscopeError,
    );
    await new Promise((r) => setTimeout(r, 20));
    await silent.stop();
    const error = await pending;
    expect(error?.name).toBe('Unavailable');
    expect(error?.message).toContain('jobs.list got no answer');
    expect(error?.message).toContain(`127.0.0.1:${port}`);
    expect(c.connectionState()).toBe('reconnecting');

    const back = await startServer(echo, port);
    cleanups.push(() => back.stop());
    await waitForState(c, 'open');
    await expect(c.call('jobs.list', {})).resolves.toEqual({ method: 'jobs.list', params: {} });
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('keeps retrying while the host is down, waiting longer each time', async () => {
    const probe = await startServer(echo);
    const port = probe.port;
    await probe.stop(); // nothing listens on `port` now
    const attempts: number[] = [];
    const counting: SocketFactory = (url, handlers) => {
      attempts.push(Date.now());
      return nodeSocket(url, handlers);
    };
    const c = new WsClient({ url: `ws://127.0.0.1:${port}/`, label: 'test host', connect: counting, initialBackoffMs: 30, maxBackoffMs: 1000 });
    cleanups.push(() => c.close());
    await new Promise((r) => setTimeout(r, 400));
    // attempts at about 0, 30, 90, 210 ms (delays 30, 60, 120) and the next after 450 ms
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(5);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
  });

  it('refuses calls after close() and rejects the ones still waiting', async () => {
    const silent = await startServer(() => {});
    cleanups.push(() => silent.stop());
    const c = client(silent.port);
    await waitForState(c, 'open');
    const pending = c.call('app.status', {}).then(
      () => null,
      (e: unknown) => e as NormscopeError,
    );
    c.close();
    expect((await pending)?.name).toBe('Unavailable');
    const after = (await c.call('app.status', {}).catch((e: unknown) => e)) as NormscopeError;
    expect(after.name).toBe('Unavailable');
    expect(after.message).toContain('closed');
  });
});
