/**
 * Picks the transport for this window: the Electron bridge when the preload
 * put one there, otherwise the web host's WebSocket on the page's own origin,
 * authorised by the `token` the host printed in the page's URL.
 */
import { NormscopeError } from '../../src-main/api/errors';
import { browserSocket } from './browser-socket';
import { ElectronTransport, findBridge } from './electron-bridge';
import type { Transport } from './transport';
import { WsClient } from './ws-client';

/** The WebSocket URL of the API for a page served by the web host, e.g. `ws://127.0.0.1:5123/api?token=…`. */
export function apiSocketUrl(page: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(page.search).get('token');
  if (!token) {
    throw new NormscopeError(
      'Refused',
      'This page was opened without its access token: open the exact address that `normscope serve` printed (it ends in ?token=…).',
    );
  }
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/api?token=${encodeURIComponent(token)}`;
}

export function connectTransport(win: Window): Transport {
  const bridge = findBridge(win);
  if (bridge) return new ElectronTransport(bridge);
  return new WsClient({ url: apiSocketUrl(win.location), label: win.location.host, connect: browserSocket });
}
