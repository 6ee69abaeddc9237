import { describe, expect, it } from 'vitest';
import type { ArConfig } from '../../../src-main/ml/ar/config';
import { nchwcBlockSize } from '../../../src-main/ml/onnx/nchwc';
import { onnxRuntimeVersion } from '../../../src-main/ml/onnx/session';
import { decodeTrainCheckpoint } from '../../../src-main/ml/train/checkpoint';
import { graphBlock } from '../../../src-main/ml/train/graphs';
import type { FeatureProvider } from '../../../src-main/training/features';
import { call, trainingCores, versionWeights, waitForRun } from './core-helpers';
import { addBackbone, addStudies, syntheticFeatures, syntheticGrid, TINY_MODEL } from './fixtures/training-data';

const { bare: bareCore, prepared: preparedCore } = trainingCores();

const RECIPE = { epochs: 3, batchSize: 4, seed: 11, lr: 3e-3 };

describe('training through the API', () => {
  it('trains on the normal studies and records a model version whose provenance says how it was made', async () => {
    const core = await preparedCore();
    const reviewer = core.store.reviewers.findByName('Dr Test')!;
    const progress: number[] = [];
    core.events.subscribe((event, payload) => {
      if (event === 'training.progress' && (payload as { phase: string }).phase === 'training')
        progress.push((payload as { epoch: number }).epoch);
    });
    const { runId, jobId } = await call(core, 'training.start', {
      normals: 'all',
      recipe: RECIPE,
      model: TINY_MODEL,
      validationShare: 0.25,
      reviewerId: reviewer.id,
      name: 'site model 1',
    });
    const run = await waitForRun(core, runId);
    expect(run).toMatchObject({ state: 'succeeded', jobId, startedBy: 'Dr Test', epochsDone: 3 });
    expect(run.trainingStudies).toHaveLength(3);
    expect(run.validationStudies).toHaveLength(1);
    expect(run.curves.trainLoss).toHaveLength(3);
    expect(run.curves.valLoss).toHaveLength(3);
    expect(run.curves.valAupr.every((v) => typeof v === 'number')).toBe(true);
    expect(progress.at(-1)).toBe(3);

    const models = await call(core, 'models.list', {});
    expect(models).toHaveLength(1);
    const model = models[0]!;
    const backbone = core.store.models.listBackbones()[0]!;
    expect(model).toMatchObject({
      id: run.modelVersionId,
      name: 'site model 1',
      createdBy: 'Dr Test',
      active: false,
      backbone: { sha256: backbone.sha256, standIn: true },
      mode: 'bidirectional',
      dilations: [1, 2],
      // [1,2,2]: the masked first hop is odd, every later hop even, so no path returns to p
      strictBlindSpot: true,
      trainingRunId: runId,
      trainingStudies: 3,
      validationStudies: 1,
      seed: 11,
    });
    expect(model.recipe).toMatchObject({ epochs: 3, batchSize: 4, lr: 3e-3, warmupSteps: 0, seed: 11 });
    expect(model.provenance).toMatchObject({
      backbone: { sha256: backbone.sha256 },
      preprocessing: { version: '1', spec: { size: 128 } },
      trainingSha256: run.trainingSha256,
      validationSha256: run.validationSha256,
      startedBy: 'Dr Test',
    });
    expect((model.provenance.trainingStudies as { sha256: string }[])[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // what trained it, since same-seed runs match bit for bit only on the same runtime and layout
    const layout = { nchwcBlock: await nchwcBlockSize() };
    expect(model.provenance.runtime).toEqual({
      onnxRuntime: onnxRuntimeVersion(),
      provider: 'cpu',
      nchwcBlock: graphBlock(model.provenance.arConfig as ArConfig, layout) ?? null,
    });
    expect(model.curves.valLoss).toEqual(run.curves.valLoss);
    expect(model.metrics.epochs).toBe(3);
    // the checkpoints served resuming; the saved version does not need them
    const checkpoint = core.store.trainingRuns.get(runId)!.checkpointSha256!;
    expect(checkpoint).toMatch(/^[0-9a-f]{64}$/);
    expect(core.store.files.has(checkpoint)).toBe(false);
    const actions = core.store.audit.list().map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['training.start', 'training.end']));
  });

  it('continues a paused run to the same weights as a run never paused', async () => {
    const slow = await preparedCore(syntheticFeatures({ delayMs: 4 }));
    const { runId, jobId } = await call(slow, 'training.start', { normals: 'all', recipe: RECIPE, model: TINY_MODEL });
    // pause once the first epoch is checkpointed, then resume
    await new Promise<void>((resolve) => {
      const stop = slow.events.subscribe((event) => {
        if (event === 'training.progress' && slow.store.trainingRuns.get(runId)?.checkpointSha256) {
          stop();
          resolve();
        }
      });
    });
    await call(slow, 'jobs.pause', { jobId });
    for (let i = 0; i < 200 && (await call(slow, 'training.run', { runId })).state !== 'paused'; i++)
      await new Promise((r) => setTimeout(r, 10));
    const paused = await call(slow, 'training.run', { runId });
    expect(paused.state).toBe('paused');
    await call(slow, 'jobs.resume', { jobId });
    const resumed = await waitForRun(slow, runId);
    expect(resumed.resumes).toHaveLength(1);

    const straight = await preparedCore();
    const other = await call(straight, 'training.start', { normals: 'all', recipe: RECIPE, model: TINY_MODEL });
    const uninterrupted = await waitForRun(straight, other.runId);
    expect(versionWeights(slow, resumed.modelVersionId)).toBe(versionWeights(straight, uninterrupted.modelVersionId));
  });

  it('stops on a NaN loss with a clear error and keeps the last good checkpoint', async () => {
    // a cache read that turns to NaN once the first epoch is done (as a corrupted feature file would)
    let reads = 0;
    const turnsNaN: FeatureProvider = () => ({
      get: async (frame) => {
        reads += 1;
        const grid = syntheticGrid(frame);
        return reads > 40 ? grid.map(() => Number.NaN) : grid;
      },
    });
    // 19 frames fill the cache, 12 training reads make epoch 1; reads > 40 land in epoch 2
    const core = await preparedCore(turnsNaN);
    const { runId } = await call(core, 'training.start', { normals: 'all', recipe: RECIPE, model: TINY_MODEL });
    const run = await waitForRun(core, runId);
    expect(run.state).toBe('failed');
    expect(run.error?.message).toMatch(/loss is NaN at epoch 2.*last good checkpoint is that of epoch 1/);
    expect(run.epochsDone).toBe(1);
    const stored = core.store.trainingRuns.get(runId)!;
    expect(core.store.files.has(stored.checkpointSha256!)).toBe(true);
    expect(await call(core, 'models.list', {})).toHaveLength(0);
    expect(core.store.audit.list().at(-1)).toMatchObject({ action: 'training.end', details: { outcome: 'failed' } });
  });

  it('fails clearly when the disk is full, keeping the last good checkpoint readable', async () => {
    const core = await preparedCore();
    const files = core.store.files;
    const put = files.put.bind(files);
    let puts = 0;
    // the second checkpoint write hits a full disk, as the content store would report it
    files.put = async (bytes) => {
      puts += 1;
      if (puts === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return put(bytes);
    };
    const { runId } = await call(core, 'training.start', { normals: 'all', recipe: RECIPE, model: TINY_MODEL });
    const run = await waitForRun(core, runId);
    expect(run.state).toBe('failed');
    expect(run.error).toMatchObject({ name: 'Unavailable' });
    expect(run.error!.message).toMatch(/could not write the checkpoint of epoch 2 \(ENOSPC.*last good checkpoint \(epoch 1\)/);
    const stored = core.store.trainingRuns.get(runId)!;
    const checkpoint = decodeTrainCheckpoint(await core.store.files.read(stored.checkpointSha256!));
    expect(checkpoint.epochsDone).toBe(1);
    expect(core.store.integrity).toBe('ok');

    // space again: the run continues from epoch 1 in a new job
    files.put = put;
    const continued = await call(core, 'training.continue', { runId });
    const done = await waitForRun(core, runId);
    expect(done).toMatchObject({ state: 'succeeded', jobId: continued.jobId, epochsDone: 3 });
    expect(done.resumes.map((r) => r.epoch)).toEqual([1]);
    await expect(call(core, 'training.continue', { runId })).rejects.toThrow(/Conflict: .*succeeded/);
  });

  it('refuses clearly: no backbone, too few normal studies', async () => {
    const core = await bareCore();
    addStudies(core.store, '1.2.42', 3, 4);
    await expect(call(core, 'training.start', { normals: 'all' })).rejects.toThrow(/Refused: no backbone is imported/);
    await addBackbone(core.store);
    await expect(call(core, 'training.start', { normals: ['1.2.42.1'] })).rejects.toThrow(
      /Refused: training needs at least 2 normal studies/,
    );
    await addBackbone(core.store, 1);
    await expect(call(core, 'training.start', { normals: 'all' })).rejects.toThrow(/2 backbones are imported/);
  });
});
