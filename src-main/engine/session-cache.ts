/**
 * Warm ONNX Runtime sessions inside a worker process, so consecutive tasks
 * (batches of one scoring job) do not pay the session build again. Keyed by
 * the model's identity and the provider/thread settings; the least recently
 * used session is released when more than `capacity` are held.
 */
import { closeSession, createSession } from '../ml/onnx/session';
import type { OnnxSession, ProviderName } from '../ml/onnx/session';

/** How sessions are built: the settings' provider preference and CPU threads. */
export interface SessionPreference {
  /** providers to try in order (CPU is always the last resort); null: every available one, fastest first */
  providers: ProviderName[] | null;
  /** threads inside one operator; 0 lets ONNX Runtime choose */
  intraOpThreads: number;
}

export class SessionCache {
  private readonly sessions = new Map<string, Promise<OnnxSession>>();

  constructor(private readonly capacity: number) {}

  /** The session for `identity` under `preference`, built from `load()` (bytes or a path) when not held. */
  async get(
    identity: string,
    preference: SessionPreference,
    load: () => Promise<Uint8Array | string>,
  ): Promise<OnnxSession> {
    const key = `${identity}|${preference.providers?.join(',') ?? 'auto'}|${preference.intraOpThreads}`;
    let session = this.sessions.get(key);
    if (session) {
      // most recently used last
      this.sessions.delete(key);
      this.sessions.set(key, session);
      return session;
    }
    session = load().then((model) =>
      createSession(model, {
        ...(preference.providers ? { providers: preference.providers } : {}),
        intraOpThreads: preference.intraOpThreads,
      }),
    );
    this.sessions.set(key, session);
    // a failed build is not kept: the next call tries again
    session.catch(() => this.sessions.delete(key));
    while (this.sessions.size > this.capacity) {
      const [oldestKey, oldest] = this.sessions.entries().next().value as [
        string,
        Promise<OnnxSession>,
      ];
      this.sessions.delete(oldestKey);
      void oldest.then(closeSession, () => {});
    }
    return session;
  }
}
