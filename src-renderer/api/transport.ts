/**
 * What the renderer needs from whatever carries the API: calls, pushed events
 * and whether the line is up. The Electron bridge and the WebSocket client both
 * implement it, so nothing above this file knows which host it runs in.
 */

/** `open`: calls go through; `connecting`/`reconnecting`: calls wait for the line; `closed`: given up. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export type TransportEventListener = (event: string, payload: unknown) => void;

export interface Transport {
  /** Resolves with the method's result; rejects with a NormscopeError (name + message). */
  call(method: string, params: unknown): Promise<unknown>;
  /** Every event the host pushes; returns the unsubscribe. */
  subscribe(listener: TransportEventListener): () => void;
  connectionState(): ConnectionState;
  /** Called on every change of the connection state; returns the unsubscribe. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Where the calls go, for the status bar (never contains the token). */
  describe(): string;
}
