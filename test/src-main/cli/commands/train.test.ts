import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../../../src-main/core';
import { importPhantomSeries, writeTinyStandIn } from '../../engine/engine-fixtures';
import { call, removeDirs, tempDataDir } from '../../training/core-helpers';
import { normscope } from '../run-in-process';

const dirs: string[] = [];
afterEach(async () => {
  await removeDirs(dirs);
});

describe('normscope train --flipped', () => {
  it('is a usage error unless the mode is causal, or with --continue', async () => {
    const dataDir = join(await tempDataDir(dirs), 'never-opened');
    const bidirectional = await normscope([
      'train',
      '--normals',
      'all',
      '--flipped',
      '--data-dir',
      dataDir,
    ]);
    expect(bidirectional.code).toBe(2);
    expect(bidirectional.err).toMatch(/--flipped needs --mode causal .*mode is bidirectional/);
    const standard = await normscope([
      'train',
      '--normals',
      'all',
      '--mode',
      'standard',
      '--flipped',
      '--data-dir',
      dataDir,
    ]);
    expect(standard).toMatchObject({ code: 2, err: expect.stringMatching(/mode is standard/) });
    const continued = await normscope([
      'train',
      '--continue',
      'run-1',
      '--mode',
      'causal',
      '--flipped',
      '--data-dir',
      dataDir,
    ]);
    expect(continued).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--flipped cannot be used with --continue/),
    });
  });

  it('trains the causal model and its flipped partner on real features and says so in --json', async () => {
    const dir = await tempDataDir(dirs);
    const dataDir = join(dir, 'data');
    const core = await createCore({ dataDir, host: 'cli' });
    try {
      await call(core, 'backbones.import', { path: await writeTinyStandIn(dir) });
      for (const [k, patientId] of ['T1', 'T2', 'T3'].entries())
        await importPhantomSeries(core, dir, {
          seed: 40 + k,
          slices: 4,
          lesions: false,
          patientId,
        });
    } finally {
      await core.close();
    }
    const trained = await normscope([
      'train',
      '--normals',
      'all',
      '--mode',
      'causal',
      '--flipped',
      '--dilations',
      '1',
      '--epochs',
      '1',
      '--batch-size',
      '4',
      '--seed',
      '5',
      '--validation-share',
      '0.34',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(trained.code, trained.err).toBe(0);
    const { run, model } = JSON.parse(trained.out) as {
      run: {
        state: string;
        model: { flipped: boolean };
        partner: { seed: number; epochsDone: number; model: { flipped: boolean } } | null;
      };
      model: { mode: string; provenance: { partner?: { seed: number } } };
    };
    expect(run).toMatchObject({
      state: 'succeeded',
      model: { flipped: false },
      partner: { seed: 6, epochsDone: 1, model: { flipped: true } },
    });
    expect(model).toMatchObject({ mode: 'causal + flipped', provenance: { partner: { seed: 6 } } });
  }, 120_000);
});
