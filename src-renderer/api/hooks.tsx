/**
 * React access to the API: one client per window, provided at the root.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { EventName, EventPayload, Method, Params, Result } from '../../src-main/api/contract';
import type { NormscopeError } from '../../src-main/api/errors';
import type { ApiClient } from './client';
import { toNormscopeError } from './error-value';
import type { ConnectionState } from './transport';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi needs an <ApiProvider> above it');
  return client;
}

/** Calls `listener` for every `event`; the latest listener is used without resubscribing. */
export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const api = useApi();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => api.onEvent(event, (payload) => latest.current(payload)), [api, event]);
}

export function useConnectionState(): ConnectionState {
  const api = useApi();
  return useSyncExternalStore(
    useCallback((notify: () => void) => api.onConnectionChange(notify), [api]),
    () => api.connectionState(),
  );
}

export interface Resource<T> {
  data: T | null;
  error: NormscopeError | null;
  loading: boolean;
  reload(): void;
  /** Puts a fresher copy in place, e.g. the answer of an update call. */
  replace(data: T): void;
}

/**
 * Loads `method(params)` when the line is open and again each time it reopens
 * (a window that reconnects shows the current state). `params` is compared by
 * its JSON, so an inline object literal does not cause reloads.
 */
export function useResource<M extends Method>(method: M, params: Params<M>): Resource<Result<M>> {
  const api = useApi();
  const connection = useConnectionState();
  const paramsKey = JSON.stringify(params);
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{ data: Result<M> | null; error: NormscopeError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });

  useEffect(() => {
    if (connection !== 'open') return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    api.call(method, JSON.parse(paramsKey) as Params<M>).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (reason: unknown) => current && setState((s) => ({ ...s, error: toNormscopeError(reason), loading: false })),
    );
    return () => {
      current = false;
    };
  }, [api, method, paramsKey, connection, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback((data: Result<M>) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, replace };
}
