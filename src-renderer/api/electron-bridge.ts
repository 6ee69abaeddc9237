/**
 * The Electron side of the API: the preload exposes `window.normscope`
 * (domain calls and events only, never ipcRenderer). The line to the main
 * process cannot drop, so the connection is always open.
 */
import { toNormscopeError } from './error-value';
import type { ConnectionState, Transport, TransportEventListener } from './transport';

export interface NormscopeBridge {
  host: 'electron';
  /** rejects with an error value `{name, message}` */
  call(method: string, params: unknown): Promise<unknown>;
  on(listener: (event: string, payload: unknown) => void): () => void;
}

export function findBridge(target: object): NormscopeBridge | null {
  const bridge = (target as { normscope?: Partial<NormscopeBridge> }).normscope;
  if (bridge && bridge.host === 'electron' && typeof bridge.call === 'function' && typeof bridge.on === 'function') {
    return bridge as NormscopeBridge;
  }
  return null;
}

export class ElectronTransport implements Transport {
  constructor(private readonly bridge: NormscopeBridge) {}

  async call(method: string, params: unknown): Promise<unknown> {
    try {
      return await this.bridge.call(method, params);
    } catch (reason) {
      throw toNormscopeError(reason);
    }
  }

  subscribe(listener: TransportEventListener): () => void {
    return this.bridge.on(listener);
  }

  connectionState(): ConnectionState {
    return 'open';
  }

  onConnectionChange(): () => void {
    return () => {};
  }

  describe(): string {
    return 'Electron';
  }
}
