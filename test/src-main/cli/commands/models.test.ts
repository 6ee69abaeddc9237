import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../../src-main/cli/program';
import { call, openCore, removeDirs, tempDataDir, waitForRun } from '../../training/core-helpers';
import { addBackbone, addStudies, TINY_MODEL } from '../../training/fixtures/training-data';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await removeDirs(dirs);
});

/** Runs the CLI in this process; returns its exit code and what it printed. */
async function normscope(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (out += `${parts.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (err += `${parts.join(' ')}\n`));
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('normscope models', () => {
  it('lists, activates, rolls back, and exports without overwriting unless --force', async () => {
    const dataDir = await tempDataDir(dirs);
    const core = await openCore(dataDir);
    await addBackbone(core.store);
    addStudies(core.store, '1.2.70', 3, 4);
    const { runId } = await call(core, 'training.start', { normals: 'all', recipe: { epochs: 1, batchSize: 4 }, model: TINY_MODEL, name: 'cli model' });
    const id = (await waitForRun(core, runId)).modelVersionId!;
    await core.close();

    const listed = await normscope(['models', 'list', '--json', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toMatchObject([{ id, name: 'cli model', active: false, backbone: { standIn: true } }]);
    const activated = await normscope(['models', 'activate', id, '--data-dir', dataDir]);
    expect(activated).toMatchObject({ code: 0, out: expect.stringContaining(`active model: cli model (${id})`) });
    const rolledBack = await normscope(['models', 'rollback', '--data-dir', dataDir]);
    expect(rolledBack).toMatchObject({ code: 1, err: expect.stringMatching(/no earlier active version/) });

    const out = join(await tempDataDir(dirs), 'cli.nsmodel');
    expect((await normscope(['models', 'export', id, '--out', out, '--data-dir', dataDir])).code).toBe(0);
    const again = await normscope(['models', 'export', id, '--out', out, '--data-dir', dataDir]);
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/already exists/) });
    expect((await normscope(['models', 'export', id, '--out', out, '--force', '--data-dir', dataDir])).code).toBe(0);
  });
});
