import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../../src-main/core';
import { saveModelVersion } from '../../../../src-main/engine/models';
import { parseArConfig } from '../../../../src-main/ml/ar/config';
import { initArWeights } from '../../../../src-main/ml/ar/weights';
import { DEFAULT_PREPROCESSING } from '../../../../src-main/ml/preprocess';
import {
  engineTestCore,
  importPhantomSeries,
  writeTinyStandIn,
} from '../../engine/engine-fixtures';
import type { EngineTestCore } from '../../engine/engine-fixtures';

const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'normscope.mjs');

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NORMSCOPE_FROM_SOURCE: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('normscope backbone import|list and score', () => {
  let t: EngineTestCore;
  let dataDir: string;
  beforeAll(async () => {
    // a scratch core only for its temporary folder; the CLI opens its own data directory
    t = await engineTestCore();
    dataDir = join(t.dir, 'cli-data');
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('imports a backbone, lists it, refuses garbage, and scores the unscored studies with progress on stderr', async () => {
    const standIn = await writeTinyStandIn(t.dir);
    const imported = cli(['backbone', 'import', standIn, '--data-dir', dataDir, '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    const backbone = (JSON.parse(imported.stdout) as { backbone: { id: string; standIn: boolean } })
      .backbone;
    expect(backbone.standIn).toBe(true);

    const garbage = join(t.dir, 'garbage.onnx');
    await writeFile(garbage, 'not a model');
    const refused = cli(['backbone', 'import', garbage, '--data-dir', dataDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/not an ONNX model/);

    const listed = cli(['backbone', 'list', '--data-dir', dataDir]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      /^tiny-standin \(standin, 32 channels, 28x28 grid, .*\[stand-in: NOT for clinical use\]$/m,
    );

    // a study and an active model, set up in-process on the same data directory
    const core = await createCore({ dataDir, host: 'cli' });
    const written = await importPhantomSeries(core, t.dir, {
      seed: 31,
      slices: 2,
      lesions: true,
      patientId: 'C1',
    });
    const config = parseArConfig({ inChannels: 32, hidden: 8, layers: 2, dilations: [1] });
    const model = await saveModelVersion(core, {
      name: 'cli model',
      backbone: { id: backbone.id },
      config,
      weights: initArWeights(config, 3),
      preprocessing: DEFAULT_PREPROCESSING,
      provenance: {},
    });
    core.store.models.activate(model.id);
    await core.close();

    const scored = cli(['score', '--all-unscored', '--data-dir', dataDir, '--json']);
    expect(scored.status, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({
      frames: 2,
      framesScored: 2,
      studyScores: [{ studyUid: written.studyInstanceUid }],
    });
    expect(scored.stderr).toMatch(/100% /);
  });
});
