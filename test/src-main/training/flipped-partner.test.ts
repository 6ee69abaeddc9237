import { describe, expect, it } from 'vitest';
import type { JobInfo, Result, TrainingProgress } from '../../../src-main/api/contract';
import type { Core } from '../../../src-main/core';
import { loadModelVersion } from '../../../src-main/engine/models';
import { AR_ANOMALY_MAP, AR_INPUT, buildArAnomalyMapGraph } from '../../../src-main/ml/ar/graph';
import type { ArModel } from '../../../src-main/ml/ar/graph';
import { closeSession, createSession, runFloat32 } from '../../../src-main/ml/onnx/session';
import { call, trainingCores, versionWeights, waitForRun } from './core-helpers';
import { GRID, syntheticFeatures, syntheticGrid, TINY_MODEL } from './fixtures/training-data';

const { prepared: preparedCore } = trainingCores();

const RECIPE = { epochs: 3, batchSize: 4, seed: 11, lr: 3e-3 };
const CAUSAL_FLIPPED = { ...TINY_MODEL, mode: 'causal' as const, flipped: true };

/** The same pair trained without interruption on a fresh core: what a resumed run must equal. */
async function uninterruptedPair(): Promise<{ core: Core; run: Result<'training.run'> }> {
  const core = await preparedCore();
  const { runId } = await call(core, 'training.start', {
    normals: 'all',
    recipe: RECIPE,
    model: CAUSAL_FLIPPED,
  });
  return { core, run: await waitForRun(core, runId) };
}

/** The anomaly map [H*W] of one grid under `models` (maps averaged), through the engine's graph. */
async function mapOf(models: readonly ArModel[], grid: Float32Array): Promise<Float32Array> {
  const session = await createSession(buildArAnomalyMapGraph(models));
  try {
    const out = await runFloat32(session, {
      [AR_INPUT]: { data: grid, dims: [1, GRID.channels, GRID.height, GRID.width] },
    });
    return out[AR_ANOMALY_MAP]!.data;
  } finally {
    await closeSession(session);
  }
}

describe('training a causal model with its flipped partner', () => {
  it('saves one version whose loaded model has the flipped partner, scores with both and records both in its provenance', async () => {
    const core = await preparedCore();
    const progress: TrainingProgress[] = [];
    const messages: string[] = [];
    core.events.subscribe((event, payload) => {
      if (event === 'training.progress') progress.push(payload as TrainingProgress);
      if (event === 'jobs.updated' && (payload as JobInfo).message)
        messages.push((payload as JobInfo).message!);
    });
    const { runId } = await call(core, 'training.start', {
      normals: 'all',
      recipe: RECIPE,
      model: CAUSAL_FLIPPED,
      validationShare: 0.25,
      name: 'causal pair',
    });
    const run = await waitForRun(core, runId);
    expect(run).toMatchObject({
      state: 'succeeded',
      epochsDone: 3,
      partner: { seed: 12, epochsDone: 3, model: { mode: 'causal', flipped: true } },
    });
    expect(run.model).toMatchObject({ mode: 'causal', flipped: false });
    expect(run.curves.trainLoss).toHaveLength(3);
    expect(run.partner!.curves.trainLoss).toHaveLength(3);
    expect(run.partner!.curves.valAupr.every((v) => typeof v === 'number')).toBe(true);

    // progress covers both models: 3 training frames per batch of 4 -> 3 steps per epoch, 9 per model
    const training = progress.filter((p) => p.phase === 'training');
    expect(training.every((p) => p.totalSteps === 18 && p.models === 2)).toBe(true);
    expect(training.filter((p) => p.model === 'main').at(-1)).toMatchObject({ epoch: 3, step: 9 });
    expect(training.at(-1)).toMatchObject({ model: 'partner', epoch: 3, step: 18, done: 18 });
    expect(training.findIndex((p) => p.model === 'partner')).toBeGreaterThan(
      training.findLastIndex((p) => p.model === 'main'),
    );
    // job updates are throttled: the last one names the partner's last epoch and the run's last step
    expect(messages).toContainEqual(
      expect.stringMatching(/^Flipped partner, epoch 3\/3 · step 18\/18 · loss /),
    );

    // both models' checkpoints served resuming only; the saved version does not need them
    const row = core.store.trainingRuns.get(runId)!;
    const checkpoints = [
      row.checkpointSha256!,
      (row.metrics as { mainCheckpointSha256: string }).mainCheckpointSha256,
    ];
    expect(new Set(checkpoints).size).toBe(2);
    expect(checkpoints.filter((sha) => core.store.files.has(sha))).toEqual([]);

    const loaded = await loadModelVersion(core, run.modelVersionId!);
    expect(loaded.partner?.config).toMatchObject({ mode: 'causal', flipped: true });
    expect(loaded.config).toMatchObject({ mode: 'causal', flipped: false });
    expect(loaded.models).toHaveLength(2);
    // the pair's map is the mean of the two models' maps, and not the main model's alone
    const grid = syntheticGrid({
      studyUid: '1.2.41.abn.1',
      sopInstanceUid: '1.2.41.abn.1.1.1',
      frame: 0,
    });
    const [pair, main, partner] = await Promise.all([
      mapOf(loaded.models, grid),
      mapOf([loaded.models[0]!], grid),
      mapOf([loaded.models[1]!], grid),
    ]);
    expect(Math.max(...pair.map((v, i) => Math.abs(v - main[i]!)))).toBeGreaterThan(1e-4);
    pair.forEach((v, i) => expect(v).toBeCloseTo((main[i]! + partner[i]!) / 2, 5));

    const [info] = await call(core, 'models.list', {});
    expect(info).toMatchObject({ id: run.modelVersionId, mode: 'causal + flipped', seed: 11 });
    const provenance = info!.provenance as Record<string, unknown>;
    expect(provenance).toMatchObject({
      arConfig: { mode: 'causal', flipped: false },
      seed: 11,
      recipe: { seed: 11 },
      curves: run.curves,
      partner: {
        arConfig: { mode: 'causal', flipped: true },
        seed: 12,
        recipe: { seed: 12, epochs: 3, batchSize: 4, lr: 3e-3 },
        curves: run.partner!.curves,
        metrics: { epochs: 3 },
      },
    });
    // the version scores with both maps averaged, so its validation AUPR is the pair's
    expect(info!.metrics.valAupr).toBe(run.partner!.curves.valAupr.at(-1));
    expect((provenance.metrics as Record<string, unknown>).mainValAupr).toBe(
      run.curves.valAupr.at(-1),
    );
    const end = core.store.audit.list().find((e) => e.action === 'training.end');
    expect(end?.details).toMatchObject({ outcome: 'succeeded', partner: { epochs: 3, seed: 12 } });
  });

  it('refuses a flipped partner for a model that is not causal, saying why', async () => {
    const core = await preparedCore();
    await expect(
      call(core, 'training.start', {
        normals: 'all',
        recipe: RECIPE,
        model: { ...TINY_MODEL, mode: 'bidirectional', flipped: true },
      }),
    ).rejects.toThrow(
      /InvalidRequest: .*model\.flipped: a flipped partner exists only for a causal model; mode is bidirectional/,
    );
    await expect(
      call(core, 'training.start', { normals: 'all', model: { flipped: true } }),
    ).rejects.toThrow(/mode is bidirectional/);
    expect(core.store.trainingRuns.list()).toHaveLength(0);
    expect((await call(core, 'training.defaults', {})).model.flipped).toBe(false);
  });

  it('paused in the partner phase, continues the partner alone to the weights of a run never paused', async () => {
    const slow = await preparedCore(syntheticFeatures({ delayMs: 4 }));
    const { runId, jobId } = await call(slow, 'training.start', {
      normals: 'all',
      recipe: RECIPE,
      model: CAUSAL_FLIPPED,
    });
    // pause once the partner's first epoch is checkpointed
    await new Promise<void>((resolve) => {
      const stop = slow.events.subscribe((event) => {
        const metrics = slow.store.trainingRuns.get(runId)?.metrics as {
          partnerEpochsDone?: number;
        } | null;
        if (event === 'training.progress' && (metrics?.partnerEpochsDone ?? 0) >= 1) {
          stop();
          resolve();
        }
      });
    });
    await call(slow, 'jobs.pause', { jobId });
    for (
      let i = 0;
      i < 200 && (await call(slow, 'training.run', { runId })).state !== 'paused';
      i++
    )
      await new Promise((r) => setTimeout(r, 10));
    const paused = await call(slow, 'training.run', { runId });
    expect(paused).toMatchObject({ state: 'paused', epochsDone: 3 });
    expect(paused.partner!.epochsDone).toBeGreaterThanOrEqual(1);
    const afterResume: TrainingProgress[] = [];
    slow.events.subscribe((event, payload) => {
      if (event === 'training.progress') afterResume.push(payload as TrainingProgress);
    });
    await call(slow, 'jobs.resume', { jobId });
    const resumed = await waitForRun(slow, runId);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.resumes).toEqual([
      { epoch: paused.partner!.epochsDone, at: expect.any(String), partner: true },
    ]);
    expect(afterResume.length).toBeGreaterThan(0);
    expect(afterResume.every((p) => p.model === 'partner')).toBe(true);

    const { core: straight, run: uninterrupted } = await uninterruptedPair();
    expect(versionWeights(slow, resumed.modelVersionId)).toBe(
      versionWeights(straight, uninterrupted.modelVersionId),
    );
    expect(resumed.partner!.curves).toEqual(uninterrupted.partner!.curves);
  });

  it('stopped between the two models, before the main one was kept apart, continues without training it again', async () => {
    const core = await preparedCore();
    const runs = core.store.trainingRuns;
    const update = runs.update.bind(runs);
    let failed = false;
    // the write that keeps the finished main model apart fails once, as a crash at that moment would leave it
    runs.update = (id, patch) => {
      if (
        !failed &&
        (patch.metrics as { mainCheckpointSha256?: string } | undefined)?.mainCheckpointSha256
      ) {
        failed = true;
        throw new Error('disk I/O error');
      }
      return update(id, patch);
    };
    const { runId } = await call(core, 'training.start', {
      normals: 'all',
      recipe: RECIPE,
      model: CAUSAL_FLIPPED,
    });
    const stopped = await waitForRun(core, runId);
    expect(stopped).toMatchObject({ state: 'failed', epochsDone: 3, partner: { epochsDone: 0 } });
    const mainSteps: number[] = [];
    core.events.subscribe((event, payload) => {
      const p = payload as TrainingProgress;
      if (
        event === 'training.progress' &&
        p.phase === 'training' &&
        p.model === 'main' &&
        p.loss !== null
      )
        mainSteps.push(p.step);
    });
    await call(core, 'training.continue', { runId });
    const done = await waitForRun(core, runId);
    expect(done).toMatchObject({ state: 'succeeded', partner: { epochsDone: 3 } });
    expect(done.resumes.map((r) => r.epoch)).toEqual([3]);
    expect(mainSteps).toEqual([]);

    const { core: straight, run: uninterrupted } = await uninterruptedPair();
    expect(versionWeights(core, done.modelVersionId)).toBe(
      versionWeights(straight, uninterrupted.modelVersionId),
    );
  });
});
