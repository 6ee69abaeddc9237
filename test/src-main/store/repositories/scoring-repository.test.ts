import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import type { Store } from '../../../../src-main/store/store';
import { sampleModel } from '../fixtures/sample-model';
import { sampleStudy } from '../fixtures/sample-study';

let store: Store;
let tick: number;
beforeEach(() => {
  tick = 0;
  // a clock that moves one second per reading, so orderings by time are deterministic
  store = openStore(
    { memory: true },
    { clock: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString() },
  );
});
afterEach(() => store.close());

describe('ScoringRepository', () => {
  it('stores float16 maps exactly and lists image scores in slice order', () => {
    store.studies.upsertInstances(sampleStudy('1.1', 2));
    const model = sampleModel(store);
    const run = store.scoring.startRun({
      modelVersionId: model.id,
      backboneSha256: 'a'.repeat(64),
      onnxruntimeVersion: '1.30.0',
      provider: 'cpu',
      threads: 2,
    });
    const map = new Uint16Array(28 * 28).map((_, i) => (i * 97) & 0xffff);
    store.scoring.putMaps(run.id, [
      { sopInstanceUid: '1.1.1.1', frame: 0, gridH: 28, gridW: 28, map, imageScore: 0.7 },
      { sopInstanceUid: '1.1.1.2', frame: 0, gridH: 28, gridW: 28, map, imageScore: 0.3 },
    ]);
    expect(store.scoring.getMap(run.id, '1.1.1.1', 0)?.map).toEqual(map);
    // instance 2 lies at 2 mm, instance 1 at 4 mm along the normal
    expect(store.scoring.imageScores(run.id, '1.1.1').map((s) => s.imageScore)).toEqual([0.3, 0.7]);
    expect(store.scoring.scoredInstances(run.id)).toEqual(new Set(['1.1.1.1', '1.1.1.2']));
    expect(() =>
      store.scoring.putMaps(run.id, [
        { sopInstanceUid: '1.1.1.1', frame: 1, gridH: 28, gridW: 27, map, imageScore: 1 },
      ]),
    ).toThrow(/28x27/);
    const done = store.scoring.setState(run.id, 'succeeded');
    expect(done.finishedAt).not.toBeNull();
  });
});
