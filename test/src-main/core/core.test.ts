import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../src-main/core';
import { openStore } from '../../../src-main/store/store';

const ctx = { transport: 'test' } as const;

describe('createCore', () => {
  let dataDir: string;
  let core: Core | null = null;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'normscope-core-'));
  });

  afterEach(async () => {
    await core?.close();
    core = null;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports the status the status bar shows: version, host, data dir, provider, database', async () => {
    core = await createCore({ dataDir, host: 'web' });
    const outcome = await core.dispatch('app.status', {}, ctx);
    const pkg = JSON.parse(await readFile(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(outcome).toMatchObject({
      ok: true,
      result: {
        version: pkg.version,
        host: 'web',
        dataDir,
        backbone: null,
        activeModel: null,
        database: { integrity: 'ok' },
      },
    });
    if (!outcome.ok) throw new Error('unreachable');
    const status = outcome.result as { provider: { active: string; available: string[] }; database: { schemaVersion: number } };
    expect(status.provider.available).toContain('cpu');
    expect(status.provider.available).toContain(status.provider.active);
    expect(status.database.schemaVersion).toBeGreaterThan(0);
  });

  it('keeps settings across a restart and refuses invalid ones with InvalidRequest', async () => {
    core = await createCore({ dataDir, host: 'cli' });
    const updated = await core.dispatch('settings.update', { threads: 3, provider: 'cpu' }, ctx);
    expect(updated).toMatchObject({ ok: true, result: { threads: 3, provider: 'cpu', importMode: 'copy' } });
    const refused = await core.dispatch('settings.update', { importMode: 'move' }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { name: 'InvalidRequest' } });
    await core.close();

    core = await createCore({ dataDir, host: 'web' });
    expect(await core.dispatch('settings.get', {}, ctx)).toMatchObject({ ok: true, result: { threads: 3, provider: 'cpu' } });
    const status = await core.dispatch('app.status', {}, ctx);
    // the provider setting decides which one is active
    expect(status).toMatchObject({ ok: true, result: { provider: { active: 'cpu' } } });
  });

  it('lists jobs and cancels a running one; an unknown job is NotFound', async () => {
    core = await createCore({ dataDir, host: 'web' });
    const job = core.jobs.start({
      kind: 'selftest',
      title: 'Wait for cancel',
      run: ({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    job.result.catch(() => {});
    await new Promise((r) => setTimeout(r, 10));
    const listed = await core.dispatch('jobs.list', {}, ctx);
    expect(listed).toMatchObject({ ok: true, result: [{ id: job.id, state: 'running' }] });
    expect(await core.dispatch('jobs.cancel', { jobId: job.id }, ctx)).toMatchObject({ ok: true });
    await expect(job.result).rejects.toMatchObject({ name: 'Cancelled' });
    expect(core.jobs.get(job.id).state).toBe('cancelled');
    expect(await core.dispatch('jobs.cancel', { jobId: 'no-such-job' }, ctx)).toMatchObject({
      ok: false,
      error: { name: 'NotFound' },
    });
  });

  it('marks a job that a restart interrupted as failed instead of leaving it running', async () => {
    core = await createCore({ dataDir, host: 'web' });
    const job = core.jobs.start({ kind: 'import', title: 'Import folder', run: () => new Promise(() => {}) });
    await new Promise((r) => setTimeout(r, 10));
    // simulate a crash: the store is closed without the job ending
    core.store.close();
    core = await createCore({ dataDir, host: 'web' });
    const listed = await core.dispatch('jobs.list', {}, ctx);
    expect(listed).toMatchObject({ ok: true, result: [{ id: job.id, state: 'failed' }] });
  });

  it('closing stops a running job without ending it, so the next start can resume it', async () => {
    core = await createCore({ dataDir, host: 'web' });
    const started = core.jobs.start({
      kind: 'score',
      title: 'Long scoring',
      params: { studyUids: ['1.2.3'] },
      run: (job) =>
        new Promise<never>((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason))),
    });
    started.result.catch(() => undefined);
    while (core.jobs.get(started.id).state !== 'running') await new Promise((r) => setTimeout(r, 5));
    await core.close();
    core = null;
    const store = openStore({ dataDir });
    try {
      expect(store.jobs.get(started.id)?.state).toBe('running');
    } finally {
      store.close();
    }
  });

  it('runs worker tasks in a supervised process and stops it on close', async () => {
    core = await createCore({ dataDir, host: 'web' });
    const input = { values: new Float32Array([1.5]), bytes: new Uint8Array([7]), text: 'ping' };
    const output = await core.workers.run('selftest.echo', input, { timeoutMs: 20_000, memoryMb: 512 });
    expect(output).toMatchObject({ text: 'ping', values: new Float32Array([1.5]) });
    expect(output.pid).not.toBe(process.pid);
    await core.close();
    await expect(
      core.workers.run('selftest.echo', { ...input, text: 'late' }, { timeoutMs: 20_000, memoryMb: 512 }),
    ).rejects.toMatchObject({ name: 'Unavailable' });
  });

  it('shows the active model and its backbone, saying when the backbone is a stand-in', async () => {
    core = await createCore({ dataDir, host: 'web' });
    const backbone = core.store.models.addBackbone({
      name: 'Stand-in ViT-S/16',
      sha256: 'a'.repeat(64),
      fileSha256: 'b'.repeat(64),
      standIn: true,
      manifest: { family: 'standin' },
    });
    expect(await core.dispatch('app.status', {}, ctx)).toMatchObject({
      ok: true,
      result: { backbone: { id: backbone.id, family: 'standin', standIn: true }, activeModel: null },
    });
    const model = core.store.models.addModelVersion({
      name: 'AR brain v1',
      backboneId: backbone.id,
      arConfig: {},
      weightsSha256: 'c'.repeat(64),
      preprocessingVersion: '1',
      preprocessing: {},
      provenance: {},
      createdBy: 'test',
    });
    core.store.models.activate(model.id);
    expect(await core.dispatch('app.status', {}, ctx)).toMatchObject({
      ok: true,
      result: { backbone: { id: backbone.id }, activeModel: { id: model.id, name: 'AR brain v1' } },
    });
  });
});
