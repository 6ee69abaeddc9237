import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-main/api/contract';
import { createCore } from '../../../src-main/core';
import { importBackbone } from '../../../src-main/engine/backbones';
import { encodeModelWeights } from '../../../src-main/engine/model-weights';
import { saveModelVersion } from '../../../src-main/engine/models';
import { startScoring } from '../../../src-main/engine/scoring';
import { parseArConfig } from '../../../src-main/ml/ar/config';
import { initArWeights } from '../../../src-main/ml/ar/weights';
import { decodeFloat16 } from '../../../src-main/ml/float16';
import { onnxRuntimeVersion } from '../../../src-main/ml/onnx/session';
import { DEFAULT_PREPROCESSING } from '../../../src-main/ml/preprocess';
import type {
  Backbone,
  ModelVersion,
} from '../../../src-main/store/repositories/models-repository';
import { engineTestCore, importPhantomSeries, writeTinyStandIn } from './engine-fixtures';
import type { EngineTestCore } from './engine-fixtures';

const ctx = { transport: 'test' } as const;
const CONFIG = parseArConfig({ inChannels: 32, hidden: 8, layers: 3, dilations: [1, 2] });

function runsOf(t: EngineTestCore, modelVersionId: string): Array<{ id: string; state: string }> {
  return t.core.store.db
    .prepare<[string], { id: string; state: string }>(
      'SELECT id, state FROM scoring_runs WHERE model_version_id = ?',
    )
    .all(modelVersionId);
}

function mapCount(t: EngineTestCore, runId: string): number {
  return t.core.store.db
    .prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM anomaly_maps WHERE scoring_run_id = ?',
    )
    .get(runId)!.n;
}

async function waitForState(
  t: EngineTestCore,
  jobId: string,
  states: JobInfo['state'][],
): Promise<JobInfo> {
  for (;;) {
    const info = t.core.jobs.get(jobId);
    if (states.includes(info.state)) return info;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForStoredMaps(t: EngineTestCore, modelVersionId: string): Promise<void> {
  for (;;) {
    const [run] = runsOf(t, modelVersionId);
    if (run && mapCount(t, run.id) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('scoring job', () => {
  let t: EngineTestCore;
  let backbone: Backbone;
  let model: ModelVersion;
  const studies: Array<{ studyUid: string; seriesUid: string; sops: string[] }> = [];

  const newModel = (name: string, seed: number): Promise<ModelVersion> =>
    saveModelVersion(t.core, {
      name,
      backbone,
      config: CONFIG,
      weights: initArWeights(CONFIG, seed),
      preprocessing: DEFAULT_PREPROCESSING,
      provenance: { test: name },
    });

  beforeAll(async () => {
    t = await engineTestCore();
    backbone = (await importBackbone(t.core, await writeTinyStandIn(t.dir))).backbone;
    for (const [index, lesions] of [true, false].entries()) {
      const written = await importPhantomSeries(t.core, t.dir, {
        seed: 21 + index,
        slices: 4,
        lesions,
        patientId: `S${index}`,
      });
      studies.push({
        studyUid: written.studyInstanceUid,
        seriesUid: written.seriesInstanceUid,
        sops: written.sopInstanceUids,
      });
    }
    model = await newModel('test AR', 5);
    t.core.store.models.activate(model.id);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('stores a map and image score per frame, series and study scores (max), and the provenance of the run', async () => {
    const [a] = studies;
    const started = await t.core.dispatch('scoring.start', { studyUids: [a!.studyUid] }, ctx);
    expect(started).toMatchObject({ ok: true, result: { kind: 'score' } });
    const jobId = started.ok ? (started.result as JobInfo).id : '';
    expect(await waitForState(t, jobId, ['succeeded', 'failed'])).toMatchObject({
      state: 'succeeded',
      progress: 1,
    });

    const [run] = runsOf(t, model.id);
    const stored = t.core.store.scoring.getRun(run!.id)!;
    expect(stored).toMatchObject({
      state: 'succeeded',
      jobId,
      backboneSha256: backbone.sha256,
      onnxruntimeVersion: onnxRuntimeVersion(),
      provider: 'cpu',
      threads: 0,
      options: { imageScore: 'max', studyScore: 'max', weightsSha256: model.weightsSha256 },
    });
    expect(mapCount(t, run!.id)).toBe(4);
    const imageScores = a!.sops.map((sop) => {
      const map = t.core.store.scoring.getMap(run!.id, sop, 0)!;
      expect(map).toMatchObject({ gridH: 28, gridW: 28 });
      const values = decodeFloat16(map.map);
      expect(values.every(Number.isFinite)).toBe(true);
      // the image score is the map's value at one of its valid patches: at most the whole map's maximum
      expect(map.imageScore).toBeGreaterThan(0);
      expect(map.imageScore).toBeLessThanOrEqual(Math.max(...values) * (1 + 1e-3));
      expect(values.some((v) => Math.abs(v - map.imageScore) <= 1e-3 * map.imageScore)).toBe(true);
      return map.imageScore;
    });

    const series = await t.core.dispatch('scoring.seriesScores', { seriesUid: a!.seriesUid }, ctx);
    expect(series).toMatchObject({
      ok: true,
      result: {
        seriesScore: Math.max(...imageScores),
        run: { id: run!.id, provider: 'cpu', modelName: 'test AR' },
      },
    });
    // slice order, bottom to top, as written
    expect(
      series.ok &&
        (series.result as { frames: Array<{ sopInstanceUid: string }> }).frames.map(
          (f) => f.sopInstanceUid,
        ),
    ).toEqual(a!.sops);
    expect(
      await t.core.dispatch('scoring.studyScores', { studyUid: a!.studyUid }, ctx),
    ).toMatchObject({
      ok: true,
      result: {
        studyScore: Math.max(...imageScores),
        series: [{ seriesUid: a!.seriesUid, score: Math.max(...imageScores) }],
        threshold: null,
      },
    });
    const view = await t.core.dispatch(
      'scoring.map',
      { sopInstanceUid: a!.sops[1]!, frame: 0 },
      ctx,
    );
    expect(view).toMatchObject({
      ok: true,
      result: { gridH: 28, gridW: 28, imageScore: imageScores[1], run: { id: run!.id } },
    });
    expect(view.ok && (view.result as { values: number[] }).values).toHaveLength(784);
    expect(
      await t.core.dispatch('scoring.map', { sopInstanceUid: a!.sops[1]!, frame: 5 }, ctx),
    ).toEqual({ ok: true, result: null });
    const worklistRow = t.core.store.studies
      .listWorklist()
      .find((row) => row.studyUid === a!.studyUid);
    expect(worklistRow?.score).toMatchObject({
      value: Math.max(...imageScores),
      scoringRunId: run!.id,
      modelVersionId: model.id,
    });
    const audited = t.core.store.audit.list().filter((e) => e.action === 'scoring.run');
    expect(audited.map((e) => e.details.event)).toEqual(['started', 'finished']);
  });

  it('refuses at once, before any job exists, an unknown model, study or series', async () => {
    const jobsBefore = t.core.jobs.list().length;
    const cases = [
      { studyUids: [studies[0]!.studyUid], modelVersionId: 'no-such-model' },
      { studyUids: ['1.2.3.404'] },
      { studyUids: [studies[0]!.studyUid], seriesUid: studies[1]!.seriesUid },
    ];
    for (const params of cases) {
      expect(await t.core.dispatch('scoring.start', params, ctx)).toMatchObject({
        ok: false,
        error: { name: 'NotFound' },
      });
    }
    expect(await t.core.dispatch('scoring.start', { studyUids: [] }, ctx)).toMatchObject({
      ok: false,
      error: { name: 'InvalidRequest' },
    });
    expect(t.core.jobs.list()).toHaveLength(jobsBefore);
  });

  it('scores all unscored studies, then finds nothing left to score', async () => {
    const first = startScoring(t.core, { studyUids: 'unscored' });
    const summary = await first.result;
    expect(summary).toMatchObject({
      studies: 1,
      frames: 4,
      framesScored: 4,
      studyScores: [{ studyUid: studies[1]!.studyUid }],
    });
    expect(await startScoring(t.core, { studyUids: 'unscored' }).result).toMatchObject({
      frames: 0,
      runId: null,
    });
  });

  it('refuses a model whose maps are NaN: the job fails clearly and nothing is stored', async () => {
    const nanWeights = initArWeights(CONFIG, 9);
    nanWeights.layers[1]!.bias.fill(Number.NaN);
    const weightsFile = await t.core.store.files.put(
      encodeModelWeights([{ config: CONFIG, weights: nanWeights }]),
    );
    const broken = t.core.store.models.addModelVersion({
      name: 'broken',
      backboneId: backbone.id,
      arConfig: { ...CONFIG },
      weightsSha256: weightsFile.sha256,
      preprocessingVersion: '1',
      preprocessing: { ...DEFAULT_PREPROCESSING },
      provenance: {},
      createdBy: 'system',
    });
    const job = startScoring(t.core, {
      studyUids: [studies[0]!.studyUid],
      modelVersionId: broken.id,
    });
    await expect(job.result).rejects.toMatchObject({
      name: 'Refused',
      message: expect.stringMatching(/anomaly map of frame 0 .* not finite/),
    });
    expect(t.core.jobs.get(job.id)).toMatchObject({ state: 'failed', error: { name: 'Refused' } });
    expect(runsOf(t, broken.id)).toEqual([]);
    // and saving such a model through the engine is refused up front
    await expect(
      saveModelVersion(t.core, {
        name: 'nan',
        backbone,
        config: CONFIG,
        weights: nanWeights,
        preprocessing: DEFAULT_PREPROCESSING,
        provenance: {},
      }),
    ).rejects.toMatchObject({ name: 'Refused' });
  });

  it('pauses and resumes a job without scoring a stored frame twice', async () => {
    const other = await newModel('pause test', 6);
    const job = startScoring(
      t.core,
      { studyUids: studies.map((s) => s.studyUid), modelVersionId: other.id },
      { framesPerBatch: 2 },
    );
    // pause as soon as the first step has stored its maps
    await waitForStoredMaps(t, other.id);
    t.core.jobs.pause(job.id);
    await waitForState(t, job.id, ['paused']);
    const [run] = runsOf(t, other.id);
    const storedWhilePaused = mapCount(t, run!.id);
    expect(storedWhilePaused).toBeGreaterThan(0);
    expect(storedWhilePaused).toBeLessThan(8);
    t.core.jobs.resume(job.id);
    const summary = await job.result;
    expect(summary.framesScored).toBe(8 - storedWhilePaused);
    expect(runsOf(t, other.id)).toEqual([{ id: run!.id, state: 'succeeded' }]);
    expect(mapCount(t, run!.id)).toBe(8);
    expect(summary.studyScores).toHaveLength(2);
  });

  it('resumes an interrupted job after a restart from its checkpoint', async () => {
    const other = await newModel('restart test', 7);
    const job = startScoring(
      t.core,
      { studyUids: studies.map((s) => s.studyUid), modelVersionId: other.id },
      { framesPerBatch: 2 },
    );
    await waitForStoredMaps(t, other.id);
    // the app exits: runs stop without recording an end, so the next start takes them over
    await t.core.jobs.shutdown();
    const [run] = runsOf(t, other.id);
    const storedBefore = mapCount(t, run!.id);
    expect(storedBefore).toBeLessThan(8);
    await t.core.close();

    t.core = await createCore({ dataDir: t.core.dataDir, host: 'cli' });
    expect(t.core.jobs.get(job.id).state).not.toBe('failed');
    await waitForState(t, job.id, ['succeeded', 'failed']);
    expect(t.core.jobs.get(job.id)).toMatchObject({ state: 'succeeded' });
    expect(runsOf(t, other.id)).toEqual([{ id: run!.id, state: 'succeeded' }]);
    expect(mapCount(t, run!.id)).toBe(8);
  });
});
