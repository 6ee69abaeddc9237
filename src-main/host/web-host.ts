/**
 * The loopback web host: serves the built renderer and the API (WebSocket at
 * `/api`) on 127.0.0.1 only, guarded by a per-run token. Used by `normscope
 * serve`, by `npm start` where Electron's binary is missing, and by the
 * end-to-end tests. The renderer cannot tell it from the Electron shell.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Dispatch } from '../api/dispatch';
import type { EventSource } from '../api/event-bus';
import type { EventMessage } from '../api/wire';
import type { BinaryResources, BinaryResponse } from '../review/resources';
import { isLocalRequest, newToken, readCookie, tokenCookie, tokenCookieName, tokensMatch } from './access';
import { MAX_REQUEST_BYTES, answerFrame } from './api-messages';
import { contentSecurityPolicy, contentTypeFor, resolveStaticPath } from './static-files';

export interface WebHostOptions {
  dispatch: Dispatch;
  events: EventSource;
  /** folder holding the built renderer (index.html and its assets) */
  rendererDir: string;
  /** TCP port on 127.0.0.1; omitted or 0 picks a free one */
  port?: number;
  /** binary routes served beside the page (decoded frames, anomaly maps), behind the same token */
  resources?: BinaryResources;
  /** `POST /upload` (files dropped into a browser, src-main/imports/upload.ts), behind the same token */
  upload?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/?token=TOKEN`: the one URL that opens the workstation */
  url: string;
  port: number;
  token: string;
  /** stops accepting, closes every socket, resolves when the server is down */
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const API_PATH = '/api';

function sendPlain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = newToken();
  const sockets = new Set<WebSocket>();
  let port = 0; // known once listening; every check below runs after that

  const hasToken = (req: IncomingMessage, url: URL): boolean =>
    tokensMatch(token, url.searchParams.get('token')) ||
    tokensMatch(token, readCookie(req.headers.cookie, tokenCookieName(port)));

  const isLocal = (req: IncomingMessage): boolean =>
    isLocalRequest({ host: req.headers.host, origin: req.headers.origin }, port);

  async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // the raw path, not url.pathname: URL parsing silently folds `..` segments,
    // and the escape check should see what the client sent
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const filePath = resolveStaticPath(options.rendererDir, rawPath);
    if (filePath === null) return sendPlain(res, 400, 'Bad path');
    let body: Buffer;
    try {
      body = await readFile(filePath);
    } catch {
      return sendPlain(res, 404, 'Not found');
    }
    const headers: Record<string, string> = {
      'Content-Type': contentTypeFor(filePath),
      'Content-Length': String(body.byteLength),
      'Content-Security-Policy': contentSecurityPolicy([`ws://${LOOPBACK}:${port}`, `ws://localhost:${port}`]),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      // the page URL carries the token: never hand it to anyone in a Referer
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    // the page is opened with ?token=; the cookie lets its scripts, styles and socket in
    if (url.searchParams.has('token')) headers['Set-Cookie'] = tokenCookie(port, token);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function sendBinary(req: IncomingMessage, res: ServerResponse, answer: BinaryResponse): void {
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': String(answer.body.byteLength),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = options.resources ? await options.resources(rawPath) : null;
    if (answer) return sendBinary(req, res, answer);
    return serveStatic(req, res, url);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
    if (!isLocal(req)) return sendPlain(res, 403, 'Forbidden: foreign Origin or Host');
    if (!hasToken(req, url)) return sendPlain(res, 401, 'Unauthorized: open the URL printed by `normscope serve`');
    if (req.method === 'POST' && url.pathname === '/upload' && options.upload) {
      return void options.upload(req, res).catch((err: unknown) => {
        console.error('web host: upload failed:', err);
        if (!res.headersSent) sendPlain(res, 500, 'Internal error');
        else res.destroy();
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendPlain(res, 405, 'Method not allowed');
    serve(req, res, url).catch((err: unknown) => {
      console.error('web host: serving a file failed:', err);
      if (!res.headersSent) sendPlain(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  // ws closes a connection whose frame exceeds maxPayload; frames between the
  // request limit and this get an InvalidRequest reply instead
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_REQUEST_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
    if (url.pathname !== API_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!isLocal(req)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!hasToken(req, url)) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const message: EventMessage = { event, payload };
      ws.send(JSON.stringify(message));
    });
    ws.on('message', (data, isBinary) => {
      const frame = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      void answerFrame(options.dispatch, frame, isBinary, { transport: 'web' }).then((reply) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(reply));
      });
    });
    ws.on('error', (err) => console.error('web host: socket error:', err.message));
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolveClose) => wss.close(() => resolveClose()));
      await new Promise<void>((resolveClose, rejectClose) => {
        server.close((err) => (err ? rejectClose(err) : resolveClose()));
        server.closeAllConnections();
      });
    },
  };
}
