/**
 * One PACS as seen through DICOMweb (PS3.18): QIDO-RS searches, WADO-RS
 * instance retrieval and STOW-RS storage through dicomweb-client, with the
 * exchange carried by FetchXhr (Node has no XMLHttpRequest). Every failure
 * becomes a NormscopeError that says what happened in words a user can act
 * on (wrong credentials, server not reachable, no answer in time, malformed
 * answer); transient failures (connection reset or refused, timeouts, 408,
 * 429, 5xx) are retried with exponential backoff. Secrets go only into the
 * Authorization header, never into messages.
 */
import { api } from 'dicomweb-client';
import { NormscopeError } from '../api/errors';
import { FetchXhr, type TransportFailure } from './fetch-xhr';

export type PacsAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

export interface PacsConnection {
  /** the DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web */
  baseUrl: string;
  auth: PacsAuth;
}

export interface SessionTuning {
  /** ms for one request, body included (default 30 s) */
  timeoutMs?: number;
  /** attempts for a transient failure, the first included (default 4) */
  attempts?: number;
  /** ms before the first retry; doubled each time, with jitter (default 500) */
  backoffMs?: number;
  /** largest response accepted (default 2 GiB) */
  maxResponseBytes?: number;
}

/** A DICOM JSON dataset (PS3.18 F.2): tag -> { vr, Value? }. */
export type DicomJson = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

/**
 * The client calls used here as the library documents them; its generated
 * declarations lack the `request` option and type the results as arrays.
 */
interface DicomwebCalls {
  searchForStudies(options: {
    queryParams: Record<string, string>;
    request: XhrRequest;
  }): Promise<unknown>;
  searchForInstances(options: {
    studyInstanceUID: string;
    queryParams: Record<string, string>;
    request: XhrRequest;
  }): Promise<unknown>;
  retrieveInstance(options: {
    studyInstanceUID: string;
    seriesInstanceUID: string;
    sopInstanceUID: string;
    request: XhrRequest;
  }): Promise<unknown>;
  storeInstances(options: { datasets: ArrayBuffer[]; request: XhrRequest }): Promise<unknown>;
}
type XhrRequest = { instance: FetchXhr };

const DEFAULTS = {
  timeoutMs: 30_000,
  attempts: 4,
  backoffMs: 500,
  maxResponseBytes: 2 * 1024 ** 3,
};

/** Checks and normalises a DICOMweb root URL: http(s) only, no credentials in it, no trailing slash. */
export function normaliseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new NormscopeError(
      'InvalidRequest',
      `"${value}" is not a URL; expected e.g. http://pacs.example:8042/dicom-web`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NormscopeError(
      'InvalidRequest',
      `a DICOMweb URL must start with http:// or https://, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new NormscopeError(
      'InvalidRequest',
      'put the user name and password in the authentication fields, not in the URL',
    );
  }
  if (url.search || url.hash) {
    throw new NormscopeError(
      'InvalidRequest',
      'a DICOMweb root URL has no query (?…) or fragment (#…)',
    );
  }
  return url.toString().replace(/\/+$/, '');
}

function authHeaders(auth: PacsAuth): Record<string, string> {
  if (auth.kind === 'basic') {
    return {
      Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`,
    };
  }
  if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  return {};
}

interface Outcome {
  error: NormscopeError;
  transient: boolean;
}

/** What one failed exchange means for the user, and whether trying again may help. */
function describeFailure(what: string, server: string, xhr: FetchXhr, err: unknown): Outcome {
  const failure: TransportFailure | null = xhr.failure;
  if (failure) {
    switch (failure.kind) {
      case 'cancelled':
        return {
          error: new NormscopeError('Cancelled', `${what} was cancelled`),
          transient: false,
        };
      case 'timeout':
        return {
          error: new NormscopeError(
            'Unavailable',
            `${what}: ${server} did not answer within ${failure.timeoutMs / 1000} s`,
          ),
          transient: true,
        };
      case 'malformed-json':
        return {
          error: new NormscopeError(
            'Unavailable',
            `${what}: ${server} answered with malformed JSON (${failure.message})`,
          ),
          transient: false,
        };
      case 'too-large':
        return {
          error: new NormscopeError(
            'Refused',
            `${what}: the answer of ${server} exceeds ${failure.maxBytes} bytes`,
          ),
          transient: false,
        };
      case 'network':
        return {
          error: new NormscopeError(
            'Unavailable',
            `${what}: cannot reach ${server} (${networkWords(failure.code, failure.message)})`,
          ),
          transient: ![
            'ENOTFOUND',
            'EAI_AGAIN',
            'CERT_HAS_EXPIRED',
            'DEPTH_ZERO_SELF_SIGNED_CERT',
          ].includes(failure.code),
        };
    }
  }
  const status = xhr.status;
  if (xhr.readyState < 4) {
    // the library refused the call before sending anything
    return {
      error: new NormscopeError(
        'Internal',
        `${what}: ${err instanceof Error ? err.message : String(err)}`,
      ),
      transient: false,
    };
  }
  if (status === 401) {
    return {
      error: new NormscopeError(
        'Refused',
        `${what}: ${server} refused the credentials (HTTP 401): wrong user name, password or token`,
      ),
      transient: false,
    };
  }
  if (status === 403) {
    return {
      error: new NormscopeError(
        'Refused',
        `${what}: ${server} denied access (HTTP 403): wrong credentials, or this account may not do this`,
      ),
      transient: false,
    };
  }
  if (status === 404) {
    return {
      error: new NormscopeError(
        'NotFound',
        `${what}: ${server} has no such resource (HTTP 404); check the DICOMweb root URL`,
      ),
      transient: false,
    };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return {
      error: new NormscopeError('Unavailable', `${what}: ${server} answered HTTP ${status}`),
      transient: true,
    };
  }
  if (status >= 200 && status < 300) {
    // the library threw on a successful status: its multipart parser met a broken body
    const reason = err instanceof Error ? err.message : String(err);
    return {
      error: new NormscopeError(
        'Unavailable',
        `${what}: ${server} sent an incomplete or malformed multipart answer (${reason})`,
      ),
      transient: true,
    };
  }
  return {
    error: new NormscopeError('Unavailable', `${what}: ${server} answered HTTP ${status}`),
    transient: false,
  };
}

function networkWords(code: string, message: string): string {
  if (code === 'ECONNREFUSED')
    return 'connection refused: is the server running, and is the port right?';
  if (code === 'ENOTFOUND') return 'host name not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was dropped';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no route to the host';
  return `${code}: ${message}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(new NormscopeError('Cancelled', 'cancelled while waiting to retry'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new NormscopeError('Cancelled', 'cancelled while waiting to retry'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads a DICOM JSON string attribute (first value). */
export function jsonString(dataset: DicomJson, tag: string): string | undefined {
  const value = dataset[tag]?.Value?.[0];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  // PN values are objects with an Alphabetic component (PS3.18 F.2.2)
  if (value && typeof value === 'object' && 'Alphabetic' in value)
    return String((value as { Alphabetic: unknown }).Alphabetic);
  return undefined;
}

function datasetsFrom(what: string, server: string, value: unknown): DicomJson[] {
  if (
    !Array.isArray(value) ||
    !value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))
  ) {
    throw new NormscopeError(
      'Unavailable',
      `${what}: ${server} answered JSON that is not a list of DICOM datasets`,
    );
  }
  return value as DicomJson[];
}

export class DicomwebSession {
  private readonly client: DicomwebCalls;
  private readonly server: string;
  private readonly tuning: Required<SessionTuning>;

  constructor(connection: PacsConnection, tuning: SessionTuning = {}) {
    const baseUrl = normaliseBaseUrl(connection.baseUrl);
    this.server = new URL(baseUrl).host;
    this.tuning = { ...DEFAULTS, ...tuning };
    // verbose off: the library would print the request object to the console on errors
    const options = {
      url: baseUrl,
      headers: authHeaders(connection.auth),
      verbose: false,
      singlepart: false,
    };
    this.client = new api.DICOMwebClient(options) as unknown as DicomwebCalls;
  }

  /** QIDO-RS /studies with the given query parameters (PS3.18 10.6). */
  async searchForStudies(
    queryParams: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<DicomJson[]> {
    const what = 'study search (QIDO-RS)';
    const answer = await this.call(what, signal, (request) =>
      this.client.searchForStudies({ queryParams, request }),
    );
    return datasetsFrom(what, this.server, answer);
  }

  /** QIDO-RS /studies/{study}/instances: every instance of a study with its series and SOP UIDs. */
  async searchForInstances(studyInstanceUID: string, signal?: AbortSignal): Promise<DicomJson[]> {
    const what = `instance list of study ${studyInstanceUID} (QIDO-RS)`;
    const answer = await this.call(what, signal, (request) =>
      this.client.searchForInstances({
        studyInstanceUID,
        queryParams: { includefield: '00200013' },
        request,
      }),
    );
    return datasetsFrom(what, this.server, answer);
  }

  /** WADO-RS of one instance: its PS3.10 bytes. */
  async retrieveInstance(
    uids: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string },
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const what = `retrieval of instance ${uids.sopInstanceUID} (WADO-RS)`;
    const part = await this.call(what, signal, async (request) => {
      // no explicit media types: dicomweb-client 0.11.3 turns any list of them into "application/"
      // and refuses it; the default Accept (application/dicom) gets the server's choice of transfer syntax
      const first: unknown = await this.client.retrieveInstance({ ...uids, request });
      // a multipart body cut short parses to no part at all; retrying may get the whole of it
      if (!(first instanceof ArrayBuffer) || first.byteLength === 0)
        throw new Error('no complete part in the answer');
      return first;
    });
    return new Uint8Array(part);
  }

  /** STOW-RS of PS3.10 datasets (PS3.18 10.5). */
  async storeInstances(datasets: ArrayBuffer[], signal?: AbortSignal): Promise<void> {
    await this.call(`storing ${datasets.length} object(s) (STOW-RS)`, signal, (request) =>
      this.client.storeInstances({ datasets, request }),
    );
  }

  private async call<T>(
    what: string,
    signal: AbortSignal | undefined,
    run: (request: XhrRequest) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const instance = new FetchXhr({
        signal,
        timeoutMs: this.tuning.timeoutMs,
        maxResponseBytes: this.tuning.maxResponseBytes,
      });
      try {
        return await Promise.race([run({ instance }), instance.handlerFailed]);
      } catch (err) {
        const outcome = describeFailure(what, this.server, instance, err);
        if (!outcome.transient || attempt >= this.tuning.attempts) throw outcome.error;
        const delay = this.tuning.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
        await sleep(delay, signal);
      }
    }
  }
}
