/**
 * The typed face of the API for the renderer. Only types come from the
 * contract (`import type`), so the bundle carries no zod: the host validates
 * every request anyway, at its boundary.
 */
import type { EventName, EventPayload, Method, Params, Result } from '../../src-main/api/contract';
import type { ConnectionState, Transport } from './transport';

export class ApiClient {
  constructor(private readonly transport: Transport) {}

  /** Rejects with a NormscopeError whose name says what went wrong. */
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    return this.transport.call(method, params) as Promise<Result<M>>;
  }

  /** Listens to one event; returns the unsubscribe. */
  onEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.transport.subscribe((name, payload) => {
      if (name === event) listener(payload as EventPayload<E>);
    });
  }

  connectionState(): ConnectionState {
    return this.transport.connectionState();
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    return this.transport.onConnectionChange(listener);
  }

  /** Where the calls go (e.g. `127.0.0.1:5123` or `Electron`). */
  describe(): string {
    return this.transport.describe();
  }
}
