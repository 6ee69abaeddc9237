/**
 * The WebSocket side of the API: matches answers to calls by id, hands pushed
 * events to subscribers and reconnects with backoff when the line drops. It
 * knows nothing of the browser: a `SocketFactory` opens the socket, so the
 * same code runs against a real `ws` server in the unit tests.
 *
 * Calls made while the line is down wait for the next connection; every call
 * still waiting or unanswered when the socket closes is rejected with an
 * `Unavailable` error, so the UI never hangs on an answer that cannot come.
 */
import { NormscopeError } from '../../src-main/api/errors';
import { reconnectDelay } from './backoff';
import { toNormscopeError } from './error-value';
import type { ConnectionState, Transport, TransportEventListener } from './transport';

export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  /** Called once per socket, whether it failed to open or dropped later. */
  close(code: number): void;
}

export interface SocketLike {
  send(text: string): void;
  close(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

export interface WsClientOptions {
  /** ws:// URL including the token */
  url: string;
  /** the host as shown to the user and in error messages; must not contain the token */
  label: string;
  connect: SocketFactory;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

interface PendingCall {
  method: string;
  resolve(result: unknown): void;
  reject(error: NormscopeError): void;
}

export class WsClient implements Transport {
  private socket: SocketLike | null = null;
  private state: ConnectionState = 'connecting';
  private nextId = 1;
  private failedAttempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** sent, waiting for an answer */
  private readonly inFlight = new Map<number, PendingCall>();
  /** made while the line was down, sent when it opens */
  private queued: { id: number; text: string }[] = [];
  private readonly eventListeners = new Set<TransportEventListener>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: WsClientOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.open();
  }

  call(method: string, params: unknown): Promise<unknown> {
    if (this.state === 'closed') {
      return Promise.reject(
        new NormscopeError('Unavailable', `Cannot call ${method}: the connection to ${this.options.label} was closed`),
      );
    }
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { method, resolve, reject });
      if (this.state === 'open' && this.socket) this.socket.send(text);
      else this.queued.push({ id, text });
    });
  }

  subscribe(listener: TransportEventListener): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  describe(): string {
    return this.options.label;
  }

  /** Closes the line for good: no more reconnects, every waiting call rejected. */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState('closed');
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.rejectAll('the client was closed');
  }

  private open(): void {
    const socket = this.options.connect(this.options.url, {
      open: () => {
        if (this.socket !== socket) return;
        this.failedAttempts = 0;
        this.setState('open');
        const queued = this.queued;
        this.queued = [];
        for (const { text } of queued) socket.send(text);
      },
      message: (text) => {
        if (this.socket === socket) this.receive(text);
      },
      close: (code) => {
        if (this.socket !== socket) return;
        this.socket = null;
        this.rejectAll(`the connection to ${this.options.label} closed (code ${code})`);
        this.scheduleReconnect();
      },
    });
    this.socket = socket;
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed') return;
    const delay = reconnectDelay(this.failedAttempts, this.initialBackoffMs, this.maxBackoffMs);
    this.failedAttempts += 1;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state !== 'closed') this.open();
    }, delay);
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      console.error(`Ignored a message from ${this.options.label} that is not JSON (${text.length} characters)`);
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const record = message as Record<string, unknown>;
    if (typeof record.event === 'string') {
      for (const listener of [...this.eventListeners]) listener(record.event, record.payload);
      return;
    }
    if (typeof record.id !== 'number') return;
    const pending = this.inFlight.get(record.id);
    if (!pending) return;
    this.inFlight.delete(record.id);
    if (record.ok === true) pending.resolve(record.result);
    else pending.reject(toNormscopeError(record.error));
  }

  private rejectAll(why: string): void {
    const pending = [...this.inFlight.values()];
    this.inFlight.clear();
    this.queued = [];
    for (const call of pending) {
      call.reject(new NormscopeError('Unavailable', `${call.method} got no answer: ${why}`));
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
