import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBackbone } from '../../../src-main/engine/backbones';
import {
  clearFeatureCache,
  featureCacheStats,
  getFrameFeatures,
} from '../../../src-main/engine/features';
import { engineFeatureProvider } from '../../../src-main/engine/feature-provider';
import { extractFrameFeatures } from '../../../src-main/engine/frame-features';
import { backboneManifest } from '../../../src-main/engine/backbone-manifest';
import { closeSession, createSession } from '../../../src-main/ml/onnx/session';
import { roundToFloat16 } from '../../../src-main/ml/float16';
import { DEFAULT_PREPROCESSING } from '../../../src-main/ml/preprocess';
import type { Backbone } from '../../../src-main/store/repositories/models-repository';
import { engineTestCore, importPhantomSeries, writeTinyStandIn } from './engine-fixtures';
import type { EngineTestCore } from './engine-fixtures';

describe('feature extraction and the feature cache', () => {
  let t: EngineTestCore;
  let backbone: Backbone;
  let files: string[];

  beforeAll(async () => {
    t = await engineTestCore();
    backbone = (await importBackbone(t.core, await writeTinyStandIn(t.dir))).backbone;
    const written = await importPhantomSeries(t.core, t.dir, {
      seed: 11,
      slices: 3,
      lesions: true,
      patientId: 'F1',
    });
    files = written.files;
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('computes [C, 28, 28] grids in the worker equal to the same pipeline run in this process, then serves them from the cache', async () => {
    const study = t.core.store.studies.getStudy(t.core.store.studies.listWorklist()[0]!.studyUid)!;
    const instances = study.series[0]!.instances;
    const items = instances.map((i) => ({ file: { sha256: i.fileSha256! }, frame: 0 }));
    const tasksBefore = t.workerTasks.length;
    const first = await getFrameFeatures(t.core, items, { backbone, spec: DEFAULT_PREPROCESSING });
    expect(first.computed).toBe(3);
    expect(first.ranWith).toMatchObject({ provider: 'cpu' });
    expect(t.workerTasks.slice(tasksBefore)).toEqual(['engine.features']);

    const session = await createSession(t.core.store.files.pathOf(backbone.fileSha256), {
      providers: ['cpu'],
    });
    const reference = await extractFrameFeatures(
      session,
      backboneManifest(backbone),
      DEFAULT_PREPROCESSING,
      instances.map((i) => ({ path: t.core.store.files.pathOf(i.fileSha256!), frame: 0 })),
      { batchSize: 1 },
    );
    await closeSession(session);
    for (const [index, frame] of first.frames.entries()) {
      expect(frame).toMatchObject({ channels: 32, gridH: 28, gridW: 28 });
      expect(frame.features).toHaveLength(32 * 28 * 28);
      expect(frame.foreground).toEqual(reference[index]!.foreground);
      // a head in the middle of the frame: some patches foreground, the corners not
      const foregroundPatches = frame.foreground.reduce((a, b) => a + b, 0);
      expect(foregroundPatches).toBeGreaterThan(100);
      expect(frame.foreground[0]).toBe(0);
      let worst = 0;
      reference[index]!.features.forEach((value, k) => {
        // cached values are float16: compare with the reference rounded the same way, allowing batch-size noise
        const expected = roundToFloat16(value);
        worst = Math.max(
          worst,
          Math.abs(frame.features[k]! - expected) / Math.max(1, Math.abs(expected)),
        );
      });
      expect(worst).toBeLessThan(2e-3);
    }

    const second = await getFrameFeatures(t.core, items, { backbone, spec: DEFAULT_PREPROCESSING });
    expect(second.computed).toBe(0);
    expect(second.ranWith).toBeNull();
    expect(t.workerTasks.slice(tasksBefore)).toEqual(['engine.features']);
    second.frames.forEach((frame, index) => {
      expect(frame.features).toEqual(first.frames[index]!.features);
      expect(frame.foreground).toEqual(first.frames[index]!.foreground);
    });

    // the same file referenced in place hits the same cache entries (keyed by content, not by path)
    const byPath = await getFrameFeatures(
      t.core,
      files.map((path) => ({ file: { path }, frame: 0 })),
      {
        backbone,
        spec: DEFAULT_PREPROCESSING,
      },
    );
    expect(byPath.computed).toBe(0);

    // training reads the same cache through its FeatureProvider interface
    const provider = engineFeatureProvider(t.core)(backbone, DEFAULT_PREPROCESSING);
    const viaProvider = await provider.get({
      studyUid: study.study.studyUid,
      sopInstanceUid: instances[2]!.sopInstanceUid,
      frame: 0,
    });
    expect(viaProvider).toEqual(first.frames[2]!.features);
    expect(t.workerTasks.slice(tasksBefore)).toEqual(['engine.features']);
  });

  it('keys the cache by preprocessing too, reports its size and empties it on clear', async () => {
    const items = files.map((path) => ({ file: { path }, frame: 0 }));
    await getFrameFeatures(t.core, items, { backbone, spec: DEFAULT_PREPROCESSING });
    const headerWindow = { ...DEFAULT_PREPROCESSING, window: 'header' as const };
    const other = await getFrameFeatures(t.core, items, { backbone, spec: headerWindow });
    expect(other.computed).toBe(3);
    expect(featureCacheStats(t.core)).toEqual({ entries: 6, bytes: 6 * 2 * 32 * 28 * 28 });

    const freed = await clearFeatureCache(t.core);
    expect(freed).toEqual({ entries: 6, bytes: 6 * 2 * 32 * 28 * 28 });
    expect(featureCacheStats(t.core)).toEqual({ entries: 0, bytes: 0 });
    const tasksBefore = t.workerTasks.length;
    const again = await getFrameFeatures(t.core, items, { backbone, spec: DEFAULT_PREPROCESSING });
    expect(again.computed).toBe(3);
    expect(t.workerTasks.slice(tasksBefore)).toEqual(['engine.features']);
    expect(await t.core.dispatch('features.cacheStats', {}, { transport: 'test' })).toEqual({
      ok: true,
      result: { entries: 3, bytes: 3 * 2 * 32 * 28 * 28 },
    });
  });

  it('fails a frame that does not exist with the file named, and a cancelled call with Cancelled', async () => {
    const missingFrame = getFrameFeatures(t.core, [{ file: { path: files[0]! }, frame: 3 }], {
      backbone,
      spec: DEFAULT_PREPROCESSING,
    });
    await expect(missingFrame).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringContaining('frame 3 does not exist'),
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      getFrameFeatures(t.core, [{ file: { path: files[0]! }, frame: 0 }], {
        backbone,
        spec: DEFAULT_PREPROCESSING,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'Cancelled' });
  });
});
