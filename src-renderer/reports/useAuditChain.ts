/**
 * The audit chain's state (audit.verify), one per window, shared by the status
 * bar and the Reports page so they never disagree. Checked on every
 * (re)connection, after every job that ends (jobs append most entries), every
 * few minutes, and when asked; concurrent requests share one call, because a
 * verification walks the whole chain.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { AuditChainStatus } from '../../src-main/api/contract';
import type { NormscopeError } from '../../src-main/api/errors';
import type { ApiClient } from '../api/client';
import { toNormscopeError } from '../api/error-value';
import { useApi, useConnectionState, useEvent } from '../api/hooks';

const RECHECK_MS = 5 * 60_000;

export interface AuditChainState {
  data: AuditChainStatus | null;
  error: NormscopeError | null;
  loading: boolean;
}

class AuditChainStore {
  private state: AuditChainState = { data: null, error: null, loading: false };
  private readonly listeners = new Set<() => void>();
  private inFlight = false;
  /** a request made while one is in flight: run once more when it returns, the chain may have grown */
  private again = false;

  constructor(private readonly api: ApiClient) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): AuditChainState => this.state;

  readonly refresh = (): void => {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.set({ ...this.state, loading: true });
    this.api.call('audit.verify', {}).then(
      (data) => this.done({ data, error: null, loading: false }),
      (reason: unknown) =>
        this.done({ ...this.state, error: toNormscopeError(reason), loading: false }),
    );
  };

  private done(state: AuditChainState): void {
    this.inFlight = false;
    this.set(state);
    if (this.again) {
      this.again = false;
      this.refresh();
    }
  }

  private set(state: AuditChainState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

const stores = new WeakMap<ApiClient, AuditChainStore>();

function storeFor(api: ApiClient): AuditChainStore {
  let store = stores.get(api);
  if (!store) {
    store = new AuditChainStore(api);
    stores.set(api, store);
  }
  return store;
}

export function useAuditChain(): AuditChainState & { reload(): void } {
  const api = useApi();
  const connection = useConnectionState();
  const store = storeFor(api);
  const state = useSyncExternalStore(store.subscribe, store.snapshot);
  useEffect(() => {
    if (connection === 'open') store.refresh();
  }, [connection, store]);
  useEvent('jobs.updated', (job) => {
    if (job.state === 'succeeded' || job.state === 'failed') store.refresh();
  });
  useEffect(() => {
    const timer = setInterval(store.refresh, RECHECK_MS);
    return () => clearInterval(timer);
  }, [store]);
  return { ...state, reload: store.refresh };
}

/** "Audit chain verified" or "Audit chain BROKEN at #N": short enough for a chip; the summary has the reason. */
export function auditChainLabel(status: AuditChainStatus): string {
  return status.ok ? 'Audit chain verified' : `Audit chain BROKEN at #${status.brokenSeq}`;
}
