import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import type { Store } from '../../../../src-main/store/store';
import { sampleModel } from '../fixtures/sample-model';

let store: Store;
beforeEach(() => {
  store = openStore({ memory: true });
});
afterEach(() => store.close());

describe('TrainingRunsRepository', () => {
  it('records the recipe and studies, then progress, checkpoint and the model produced', () => {
    const model = sampleModel(store);
    const run = store.trainingRuns.create({
      backboneId: model.backboneId,
      config: { mode: 'bidirectional', lr: 1e-3, epochs: 40, batchSize: 64, warmupEpochs: 0 },
      seed: 7,
      trainingStudies: ['1.1', '1.2'],
      validationStudies: ['1.3'],
      startedBy: 'r1',
    });
    expect(run).toMatchObject({
      state: 'queued',
      seed: 7,
      trainingStudies: ['1.1', '1.2'],
      finishedAt: null,
    });

    const running = store.trainingRuns.update(run.id, {
      state: 'running',
      curves: { trainLoss: [0.9, 0.5] },
      checkpointSha256: 'c'.repeat(64),
    });
    expect(running).toMatchObject({
      state: 'running',
      curves: { trainLoss: [0.9, 0.5] },
      finishedAt: null,
    });

    const done = store.trainingRuns.update(run.id, {
      state: 'succeeded',
      modelVersionId: model.id,
      metrics: { aupr: 0.4 },
    });
    expect(done).toMatchObject({
      state: 'succeeded',
      modelVersionId: model.id,
      checkpointSha256: 'c'.repeat(64), // kept: not in the patch
      curves: { trainLoss: [0.9, 0.5] },
      metrics: { aupr: 0.4 },
    });
    expect(done.finishedAt).not.toBeNull();
    expect(store.trainingRuns.list().map((r) => r.id)).toEqual([run.id]);
    expect(() => store.trainingRuns.update('missing', { state: 'failed' })).toThrow(
      expect.objectContaining({ name: 'NotFound' }),
    );
  });
});
