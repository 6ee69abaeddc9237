/**
 * Saved PACS endpoints, kept in the settings table under one key. Secrets are
 * sealed by the SecretStore before they reach the database and opened only to
 * build a connection; what the API returns says 'set' or 'not set'.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PacsOptions, type PacsEndpoint, type PacsEndpointInput } from '../api/contract/pacs';
import { NormscopeError } from '../api/errors';
import { performAudited } from '../audit/audited-action';
import type { Store } from '../store/store';
import { normaliseBaseUrl, type PacsConnection } from './dicomweb-session';
import type { SecretStore } from './secret-store';

const ENDPOINTS_KEY = 'pacs.endpoints';
const OPTIONS_KEY = 'pacs.options';

const StoredEndpoint = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('basic'), username: z.string(), sealed: z.string().nullable() }),
    z.object({ kind: z.literal('bearer'), sealed: z.string().nullable() }),
  ]),
});
type StoredEndpoint = z.infer<typeof StoredEndpoint>;

type EndpointStore = Pick<Store, 'settings' | 'audit' | 'transaction'>;

function readStored(store: EndpointStore): StoredEndpoint[] {
  const parsed = z.array(StoredEndpoint).safeParse(store.settings.getAll()[ENDPOINTS_KEY] ?? []);
  if (!parsed.success)
    throw new NormscopeError(
      'Internal',
      `the saved PACS endpoints are unreadable: ${parsed.error.message}`,
    );
  return parsed.data;
}

function toView(endpoint: StoredEndpoint): PacsEndpoint {
  const { auth } = endpoint;
  const secret = (sealed: string | null): 'set' | 'not set' => (sealed ? 'set' : 'not set');
  return {
    id: endpoint.id,
    name: endpoint.name,
    baseUrl: endpoint.baseUrl,
    auth:
      auth.kind === 'none'
        ? { kind: 'none' }
        : auth.kind === 'basic'
          ? { kind: 'basic', username: auth.username, secret: secret(auth.sealed) }
          : { kind: 'bearer', secret: secret(auth.sealed) },
  };
}

export function listEndpoints(store: EndpointStore): PacsEndpoint[] {
  return readStored(store).map(toView);
}

function findStored(store: EndpointStore, idOrName: string): StoredEndpoint {
  const all = readStored(store);
  const found = all.find((e) => e.id === idOrName) ?? all.find((e) => e.name === idOrName);
  if (!found) throw new NormscopeError('NotFound', `no PACS endpoint "${idOrName}" is saved`);
  return found;
}

/** Adds or edits an endpoint (audited as a settings change; the secret is sealed, never recorded). */
export function saveEndpoint(
  store: EndpointStore,
  secrets: SecretStore,
  input: PacsEndpointInput,
): PacsEndpoint {
  const all = readStored(store);
  const previous = input.id ? all.find((e) => e.id === input.id) : undefined;
  if (input.id && !previous)
    throw new NormscopeError('NotFound', `no PACS endpoint with id ${input.id}`);
  if (all.some((e) => e.name === input.name && e.id !== input.id)) {
    throw new NormscopeError('Conflict', `a PACS endpoint named "${input.name}" already exists`);
  }
  const keep = (kind: 'basic' | 'bearer'): string | null =>
    previous?.auth.kind === kind ? previous.auth.sealed : null;
  const { auth } = input;
  const stored: StoredEndpoint = {
    id: previous?.id ?? randomUUID(),
    name: input.name,
    baseUrl: normaliseBaseUrl(input.baseUrl),
    auth:
      auth.kind === 'none'
        ? { kind: 'none' }
        : auth.kind === 'basic'
          ? {
              kind: 'basic',
              username: auth.username,
              sealed: auth.password ? secrets.seal(auth.password) : keep('basic'),
            }
          : { kind: 'bearer', sealed: auth.token ? secrets.seal(auth.token) : keep('bearer') },
  };
  const next = previous ? all.map((e) => (e.id === stored.id ? stored : e)) : [...all, stored];
  performAudited(store, {
    actor: 'system',
    action: 'settings.change',
    objectIds: { pacsEndpoint: stored.id },
    details: {
      change: previous ? 'edited' : 'added',
      name: stored.name,
      baseUrl: stored.baseUrl,
      auth: stored.auth.kind,
      secretChanged: Boolean(
        (auth.kind === 'basic' && auth.password) || (auth.kind === 'bearer' && auth.token),
      ),
    },
    run: () => store.settings.merge({ [ENDPOINTS_KEY]: next }),
  });
  return toView(stored);
}

export function removeEndpoint(store: EndpointStore, id: string): boolean {
  const all = readStored(store);
  const target = all.find((e) => e.id === id);
  if (!target) return false;
  performAudited(store, {
    actor: 'system',
    action: 'settings.change',
    objectIds: { pacsEndpoint: id },
    details: { change: 'removed', name: target.name },
    run: () => store.settings.merge({ [ENDPOINTS_KEY]: all.filter((e) => e.id !== id) }),
  });
  return true;
}

/** The connection of a saved endpoint (by id or name), its secret opened. */
export function endpointConnection(
  store: EndpointStore,
  secrets: SecretStore,
  idOrName: string,
): { endpoint: PacsEndpoint; connection: PacsConnection } {
  const stored = findStored(store, idOrName);
  const { auth } = stored;
  const secret = (): string => {
    const sealed = auth.kind === 'none' ? null : auth.sealed;
    if (!sealed)
      throw new NormscopeError(
        'InvalidRequest',
        `PACS endpoint "${stored.name}" has no ${auth.kind === 'basic' ? 'password' : 'token'} set`,
      );
    return secrets.open(sealed);
  };
  return {
    endpoint: toView(stored),
    connection: {
      baseUrl: stored.baseUrl,
      auth:
        auth.kind === 'none'
          ? { kind: 'none' }
          : auth.kind === 'basic'
            ? { kind: 'basic', username: auth.username, password: secret() }
            : { kind: 'bearer', token: secret() },
    },
  };
}

export function readPacsOptions(store: Pick<Store, 'settings'>): PacsOptions {
  const parsed = PacsOptions.safeParse(store.settings.getAll()[OPTIONS_KEY] ?? {});
  return parsed.success ? parsed.data : PacsOptions.parse({});
}

export function updatePacsOptions(store: EndpointStore, patch: Partial<PacsOptions>): PacsOptions {
  const before = readPacsOptions(store);
  const next = PacsOptions.parse({ ...before, ...patch });
  performAudited(store, {
    actor: 'system',
    action: 'settings.change',
    objectIds: { settings: Object.keys(patch).map((key) => `pacs.${key}`) },
    details: { from: before, to: next },
    run: () => store.settings.merge({ [OPTIONS_KEY]: next }),
  });
  return next;
}
