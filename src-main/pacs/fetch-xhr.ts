/**
 * The part of XMLHttpRequest that dicomweb-client uses, over Node's fetch.
 * Node 20 has no XMLHttpRequest, and dicomweb-client creates one per call
 * unless `request.instance` is given; passing one of these per call keeps the
 * library's QIDO/WADO/STOW code and its multipart handling, adds a timeout and
 * cancellation, and keeps what went wrong below HTTP (refused connection,
 * timeout, malformed JSON, oversized body) for a clear message, which a real
 * XMLHttpRequest hides behind status 0. No global is installed.
 */

export interface FetchXhrOptions {
  /** the caller's cancellation */
  signal?: AbortSignal;
  /** ms for the whole exchange, body included */
  timeoutMs: number;
  /** responses larger than this are refused (bytes) */
  maxResponseBytes: number;
}

/** Why an exchange produced no usable response, when it was not an HTTP status. */
export type TransportFailure =
  | { kind: 'cancelled' }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network'; code: string; message: string }
  | { kind: 'malformed-json'; message: string }
  | { kind: 'too-large'; maxBytes: number };

export class FetchXhr {
  readyState = 0;
  status = 0;
  response: unknown = null;
  responseType = '';
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onloadstart: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  onprogress:
    ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null = null;
  /** set when the exchange failed below HTTP; read after the library's promise settles */
  failure: TransportFailure | null = null;
  /**
   * Rejects when the library's own response handler throws (its multipart
   * parser can): that throw escapes the library's promise, which would then
   * never settle, so callers race it against this one.
   */
  readonly handlerFailed: Promise<never>;
  #rejectHandler: (err: unknown) => void = () => undefined;

  #method = 'GET';
  #url = '';
  readonly #headers = new Headers();
  #responseHeaders: Headers | null = null;
  readonly #local = new AbortController();

  constructor(private readonly options: FetchXhrOptions) {
    this.handlerFailed = new Promise<never>((_resolve, reject) => {
      this.#rejectHandler = reject;
    });
    // observed through Promise.race by the caller; never an unhandled rejection on its own
    this.handlerFailed.catch(() => undefined);
  }

  open(method: string, url: string): void {
    this.#method = method.toUpperCase();
    this.#url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.#headers.set(name, value);
  }

  getResponseHeader(name: string): string | null {
    return this.#responseHeaders?.get(name) ?? null;
  }

  getAllResponseHeaders(): string {
    if (!this.#responseHeaders) return '';
    return [...this.#responseHeaders].map(([name, value]) => `${name}: ${value}\r\n`).join('');
  }

  abort(): void {
    this.#local.abort();
  }

  send(body?: ArrayBuffer | Uint8Array | string | null): void {
    void this.#exchange(body ?? undefined);
  }

  async #exchange(body: ArrayBuffer | Uint8Array | string | undefined): Promise<void> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signals = [
      this.#local.signal,
      timeout,
      ...(this.options.signal ? [this.options.signal] : []),
    ];
    const signal = AbortSignal.any(signals);
    this.onloadstart?.();
    try {
      const response = await fetch(this.#url, {
        method: this.#method,
        headers: this.#headers,
        body,
        signal,
      });
      this.#responseHeaders = response.headers;
      const bytes = await this.#readBody(response);
      // a body over the cap leaves status 0 and its failure, like a dropped connection
      this.status = bytes === null ? 0 : response.status;
      if (bytes !== null) this.response = this.#decode(bytes);
    } catch (err) {
      this.status = 0;
      this.response = null;
      if (this.options.signal?.aborted || this.#local.signal.aborted)
        this.failure = { kind: 'cancelled' };
      else if (timeout.aborted)
        this.failure = { kind: 'timeout', timeoutMs: this.options.timeoutMs };
      else this.failure ??= networkFailure(err);
    }
    this.readyState = 4;
    try {
      this.onreadystatechange?.();
      this.onloadend?.();
    } catch (err) {
      this.#rejectHandler(err);
    }
  }

  /** The body under the size cap; null (with `failure` set) when it is too large. */
  async #readBody(response: Response): Promise<Uint8Array | null> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const total = Number(response.headers.get('content-length') ?? 0);
    if (!response.body) return new Uint8Array(0);
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      length += chunk.length;
      if (length > this.options.maxResponseBytes) {
        this.failure = { kind: 'too-large', maxBytes: this.options.maxResponseBytes };
        await response.body.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(chunk);
      this.onprogress?.({ loaded: length, total, lengthComputable: total > 0 });
    }
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  }

  #decode(bytes: Uint8Array): unknown {
    if (this.responseType === 'arraybuffer') {
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
    const text = new TextDecoder().decode(bytes);
    if (this.responseType !== 'json') return text;
    // an empty 200 answer to a query is "no matches" for some servers
    if (text.trim() === '') return [];
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      // only an error for a successful status; an error page is judged by its status
      if (this.status >= 200 && this.status < 300) {
        this.failure = { kind: 'malformed-json', message: (err as Error).message };
        this.status = 0;
      }
      return null;
    }
  }
}

function networkFailure(err: unknown): TransportFailure {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return {
    kind: 'network',
    code: cause?.code ?? 'UNKNOWN',
    message: cause?.message ?? (err as Error).message ?? String(err),
  };
}
