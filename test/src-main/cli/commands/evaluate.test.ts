import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandInBackbone } from '../../../../src-main/ml/backbone/standin';
import { generatePhantomBmadSet, writeBmadLayout } from '../../../../src-main/ml/phantom/bmad';

const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'normscope.mjs');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'normscope-evaluate-cli-'));
  await writeBmadLayout(
    join(dir, 'set'),
    generatePhantomBmadSet({ seed: 9, size: 64, trainGood: 4, testGood: 2, testBad: 2 }),
  );
  await writeFile(join(dir, 'tiny.onnx'), buildStandInBackbone({ preset: 'tiny', seed: 0 }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function evaluate(args: string[]) {
  return spawnSync(process.execPath, [BIN, 'evaluate', ...args], {
    cwd: ROOT,
    env: { ...process.env, NORMSCOPE_FROM_SOURCE: '1' },
    encoding: 'utf8',
  });
}

describe('normscope evaluate', () => {
  it('prints the metrics, the receptive-field truth and the recipe as JSON', () => {
    const run = evaluate([
      '--bmad',
      join(dir, 'set'),
      '--backbone',
      join(dir, 'tiny.onnx'),
      '--input-size',
      '224',
      '--hidden',
      '8',
      '--dilations',
      '1,2,4,8',
      '--epochs',
      '1',
      '--batch-size',
      '2',
      '--lr',
      '3e-4',
      '--warmup',
      '2',
      '--seed',
      '7',
      '--threads',
      '1',
      '--json',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    for (const variant of ['whole', 'foreground']) {
      for (const metric of ['pixelAuroc', 'pixelAupr', 'imageAuroc']) {
        expect(result.metrics[variant][metric]).toBeGreaterThanOrEqual(0);
        expect(result.metrics[variant][metric]).toBeLessThanOrEqual(1);
      }
    }
    expect(result.recipe).toMatchObject({
      lr: 3e-4,
      batchSize: 2,
      warmupSteps: 2,
      seed: 7,
      epochs: 1,
    });
    expect(result.strictBlindSpot).toBe(true);
    expect(result.models[0].config.dilations).toEqual([1, 2, 4, 8]);
    expect(result.backbone).toMatchObject({ standIn: true, grid: 14, inputSize: 224 });
    expect(result.runtime.intraOpThreads).toBe(1);
    expect(result.timing.scoringMsPerImage).toBeGreaterThan(0);
    expect(run.stderr).toContain('training epoch 1/1');
  });

  it('exits 2 on a malformed option and 1, saying why, on a folder that is not a BMAD layout', () => {
    const usage = evaluate([
      '--bmad',
      dir,
      '--backbone',
      join(dir, 'tiny.onnx'),
      '--dilations',
      '1,x',
    ]);
    expect(usage.status).toBe(2);
    const failed = evaluate(['--bmad', join(dir, 'nowhere'), '--backbone', join(dir, 'tiny.onnx')]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('BMAD folder not found');
  });
});
