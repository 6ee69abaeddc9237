import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../src-main/api/contract';
import type { Core } from '../../../src-main/core';
import {
  call,
  openCore,
  removeDirs,
  tempDataDir,
  versionWeights,
  waitForRun,
} from './core-helpers';
import { prepareRunData, TINY_MODEL } from './fixtures/training-data';

const CHILD = join(import.meta.dirname, 'fixtures', 'train-until-killed.ts');
const RECIPE = { epochs: 4, batchSize: 4, seed: 21, lr: 3e-3, warmupSteps: 3 };

const dirs: string[] = [];
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await removeDirs(dirs);
});

/** The same run without interruption on a fresh data directory: what a resumed run must equal. */
async function uninterruptedRun(
  model: object,
): Promise<{ core: Core; run: Result<'training.run'> }> {
  const core = await openCore(await tempDataDir(dirs));
  cores.push(core);
  await prepareRunData(core.store);
  const { runId } = await call(core, 'training.start', {
    normals: 'all',
    recipe: RECIPE,
    model,
    validationShare: 0.25,
  });
  return { core, run: await waitForRun(core, runId) };
}

/** Runs the child until it prints `line` (default: the checkpoint of epoch 1), then SIGKILLs it. */
function killAfterFirstCheckpoint(
  dataDir: string,
  model?: object,
  line = 'checkpoint 1',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = [
      CHILD,
      dataDir,
      JSON.stringify(RECIPE),
      ...(model ? [JSON.stringify(model)] : []),
    ];
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!killed && stdout.includes(line)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (killed && signal === 'SIGKILL') resolve();
      else
        reject(
          new Error(
            `the child ended without being killed after "${line}" (signal ${signal}): ${stdout}\n${stderr}`,
          ),
        );
    });
  });
}

describe('a training job killed mid-run', () => {
  it('resumes from its last checkpoint after a restart and ends with the weights of an uninterrupted run', async () => {
    const dataDir = await tempDataDir(dirs);
    await killAfterFirstCheckpoint(dataDir);

    const restarted = await openCore(dataDir);
    cores.push(restarted);
    const [run] = await call(restarted, 'training.runs', {});
    expect(run!.epochsDone).toBeGreaterThanOrEqual(1);
    expect(run!.epochsDone).toBeLessThan(RECIPE.epochs);
    const resumed = await waitForRun(restarted, run!.id);
    expect(resumed).toMatchObject({ state: 'succeeded', epochsDone: RECIPE.epochs });
    // it continued from the checkpoint, not from scratch
    expect(resumed.resumes.map((r) => r.epoch)).toEqual([run!.epochsDone]);
    expect(resumed.curves.trainLoss).toHaveLength(RECIPE.epochs);

    const { core: straight, run: uninterrupted } = await uninterruptedRun(TINY_MODEL);
    expect(versionWeights(restarted, resumed.modelVersionId)).toBe(
      versionWeights(straight, uninterrupted.modelVersionId),
    );
    expect(resumed.curves.valLoss).toEqual(uninterrupted.curves.valLoss);
  });

  it("killed in the flipped partner's phase, resumes the partner alone and ends with the pair of an uninterrupted run", async () => {
    const model = { ...TINY_MODEL, mode: 'causal' as const, flipped: true };
    const dataDir = await tempDataDir(dirs);
    await killAfterFirstCheckpoint(dataDir, model, 'partner checkpoint 1');

    const restarted = await openCore(dataDir);
    cores.push(restarted);
    const [run] = await call(restarted, 'training.runs', {});
    expect(run!.epochsDone).toBe(RECIPE.epochs);
    expect(run!.partner!.epochsDone).toBeGreaterThanOrEqual(1);
    expect(run!.partner!.epochsDone).toBeLessThan(RECIPE.epochs);
    const mainEvents: number[] = [];
    restarted.events.subscribe((event, payload) => {
      const p = payload as { phase: string; model: string; epoch: number };
      if (event === 'training.progress' && p.phase === 'training' && p.model === 'main')
        mainEvents.push(p.epoch);
    });
    const resumed = await waitForRun(restarted, run!.id);
    expect(resumed).toMatchObject({
      state: 'succeeded',
      epochsDone: RECIPE.epochs,
      partner: { epochsDone: RECIPE.epochs },
    });
    // it continued in the partner's phase: the main model was read back, not trained again
    expect(resumed.resumes).toEqual([
      { epoch: run!.partner!.epochsDone, at: expect.any(String), partner: true },
    ]);
    expect(mainEvents).toEqual([]);
    expect(resumed.curves.trainLoss).toHaveLength(RECIPE.epochs);
    expect(resumed.partner!.curves.trainLoss).toHaveLength(RECIPE.epochs);

    const { core: straight, run: uninterrupted } = await uninterruptedRun(model);
    expect(versionWeights(restarted, resumed.modelVersionId)).toBe(
      versionWeights(straight, uninterrupted.modelVersionId),
    );
    expect(resumed.partner!.curves.valLoss).toEqual(uninterrupted.partner!.curves.valLoss);
    expect(resumed.curves.valLoss).toEqual(uninterrupted.curves.valLoss);
  });
});
