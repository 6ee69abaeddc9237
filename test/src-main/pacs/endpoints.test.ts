import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  endpointConnection,
  listEndpoints,
  removeEndpoint,
  saveEndpoint,
} from '../../../src-main/pacs/endpoints';
import { keyFileSecretStore } from '../../../src-main/pacs/secret-store';
import { openStore, type Store } from '../../../src-main/store/store';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'normscope-pacs-endpoints-'));
  store = openStore({ dataDir });
});

afterEach(async () => {
  store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('PACS endpoints and their secrets', () => {
  it('keeps passwords encrypted in the database and shows only whether one is set', async () => {
    const secrets = keyFileSecretStore(dataDir);
    const saved = saveEndpoint(store, secrets, {
      name: 'Main PACS',
      baseUrl: 'https://pacs.example/dicom-web/',
      auth: { kind: 'basic', username: 'alice', password: 'hunter2-secret' },
    });
    expect(saved).toEqual({
      id: saved.id,
      name: 'Main PACS',
      baseUrl: 'https://pacs.example/dicom-web',
      auth: { kind: 'basic', username: 'alice', secret: 'set' },
    });
    expect(JSON.stringify(listEndpoints(store))).not.toContain('hunter2');
    for (const file of [store.databasePath, `${store.databasePath}-wal`]) {
      const bytes = await readFile(file).catch(() => Buffer.alloc(0));
      expect(bytes.includes(Buffer.from('hunter2'))).toBe(false);
    }
    expect((await readFile(`${store.databasePath}-wal`)).includes(Buffer.from('Main PACS'))).toBe(
      true,
    );
    const audit = JSON.stringify(store.db.prepare('SELECT * FROM audit_log').all());
    expect(audit).toContain('Main PACS');
    expect(audit).not.toContain('hunter2');
    // the key file is readable by its owner only
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(endpointConnection(store, secrets, 'Main PACS').connection.auth).toEqual({
      kind: 'basic',
      username: 'alice',
      password: 'hunter2-secret',
    });
  });

  it('keeps the stored secret when an edit leaves it out, and forgets it when the kind changes', () => {
    const secrets = keyFileSecretStore(dataDir);
    const { id } = saveEndpoint(store, secrets, {
      name: 'P',
      baseUrl: 'http://127.0.0.1:8042/dicom-web',
      auth: { kind: 'bearer', token: 'abc' },
    });
    saveEndpoint(store, secrets, {
      id,
      name: 'P renamed',
      baseUrl: 'http://127.0.0.1:8042/dicom-web',
      auth: { kind: 'bearer' },
    });
    expect(endpointConnection(store, secrets, id).connection.auth).toEqual({
      kind: 'bearer',
      token: 'abc',
    });
    const switched = saveEndpoint(store, secrets, {
      id,
      name: 'P renamed',
      baseUrl: 'http://127.0.0.1:8042/dicom-web',
      auth: { kind: 'basic', username: 'bob' },
    });
    expect(switched.auth).toEqual({ kind: 'basic', username: 'bob', secret: 'not set' });
    expect(() => endpointConnection(store, secrets, id)).toThrow(/has no password set/);
    expect(removeEndpoint(store, id)).toBe(true);
    expect(listEndpoints(store)).toEqual([]);
  });

  it('refuses a duplicate name and a URL it cannot use', () => {
    const secrets = keyFileSecretStore(dataDir);
    const input = {
      name: 'A',
      baseUrl: 'http://127.0.0.1/dicom-web',
      auth: { kind: 'none' as const },
    };
    saveEndpoint(store, secrets, input);
    expect(() => saveEndpoint(store, secrets, input)).toThrow(/already exists/);
    expect(() =>
      saveEndpoint(store, secrets, { ...input, name: 'B', baseUrl: 'file:///etc' }),
    ).toThrow(/http:\/\/ or https:\/\//);
  });

  it('cannot open a secret sealed under another key, and says what to do', async () => {
    const other = await mkdtemp(join(tmpdir(), 'normscope-pacs-other-'));
    try {
      const sealed = keyFileSecretStore(other).seal('x');
      expect(() => keyFileSecretStore(dataDir).open(sealed)).toThrow(/enter it again/);
      expect(keyFileSecretStore(other).open(sealed)).toBe('x');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
