/**
 * The scoring job (issue 3): for every frame of the chosen studies, backbone
 * features (from the cache, else the worker), the model's AR anomaly map (in
 * the worker, session kept warm), an image score over the valid patches
 * (valid-mask.ts), stored as a float16 map per frame; series and study scores
 * once all their frames are in. Non-finite maps fail the job and are never
 * stored. Each run records the model, backbone sha256, ONNX Runtime version,
 * the provider that really ran and the thread setting. Resumable: the
 * checkpoint names the run, and a resumed attempt skips the frames that run
 * has already stored.
 */
import { z } from 'zod';
import { ScoringRequest } from '../api/contract/engine';
import type { ScoreReduction } from '../api/contract/engine';
import { NormscopeError } from '../api/errors';
import { readSettings } from '../core/handlers/settings';
import { throwIfCancelled } from '../jobs/cancellation';
import type { JobContext, JobResumer, StartedJob } from '../jobs/job-manager';
import { encodeFloat16 } from '../ml/float16';
import { assertFiniteScores, imageScore } from '../ml/scoring';
import type { ScoreReduction as MlReduction } from '../ml/scoring';
import type { AnomalyMap, ScoringRun } from '../store/repositories/scoring-repository';
import type { Store } from '../store/store';
import type { EngineCore } from './context';
import { getFrameFeatures } from './features';
import type { FrameRef } from './features';
import { manifestAtSize } from './backbone-manifest';
import { loadModelVersion } from './models';
import { sessionPreference } from './session-preference';
import { contextValidMask, imageValidMask, MIN_RELATIVE_CONTEXT } from './valid-mask';
import type { RanWith } from './worker-tasks';
import {
  AR_BATCH,
  ENGINE_WORKER_MEMORY_MB,
  engineTimeoutMs,
  FRAMES_PER_TASK,
} from './worker-limits';

/** A scoring job's stored params: the request with the model and the studies resolved. */
const ScoringParams = z.object({
  modelVersionId: z.string(),
  studyUids: z.array(z.string()),
  seriesUid: z.string().optional(),
  options: ScoringRequest.shape.options,
  /** frames per step: each step stores its maps and a checkpoint */
  framesPerBatch: z.number().int().min(1).default(FRAMES_PER_TASK),
});
type ScoringParams = z.infer<typeof ScoringParams>;

const ScoringCheckpoint = z.object({ runId: z.string().nullable(), framesDone: z.number().int() });

export interface ScoringSummary {
  /** null when there was nothing to score */
  runId: string | null;
  modelVersionId: string;
  studies: number;
  frames: number;
  /** frames this attempt scored (a resumed attempt skips those already stored) */
  framesScored: number;
  /** studies that got a study score, with it */
  studyScores: Array<{ studyUid: string; score: number }>;
}

interface ScoringFrame {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  frame: number;
  ref: FrameRef;
}

function toMlReduction(reduction: ScoreReduction): MlReduction {
  return reduction === 'max' ? 'max' : { topKMean: reduction.topKMean };
}

/** Studies without a study score from this model. */
function unscoredStudies(store: Store, modelVersionId: string): string[] {
  return store.db
    .prepare<[string], { study_uid: string }>(
      `SELECT s.study_uid FROM studies s
       WHERE NOT EXISTS (SELECT 1 FROM study_scores ss JOIN scoring_runs r ON r.id = ss.scoring_run_id
                         WHERE ss.study_uid = s.study_uid AND r.model_version_id = ?)
       ORDER BY s.study_uid`,
    )
    .all(modelVersionId)
    .map((row) => row.study_uid);
}

/** Checks a request against the store and fixes what a resumed job must see again. */
function resolveRequest(
  store: Store,
  request: ScoringRequest,
  framesPerBatch: number,
): ScoringParams {
  const model = request.modelVersionId
    ? store.models.getModelVersion(request.modelVersionId)
    : store.models.activeModelVersion();
  if (!model) {
    throw request.modelVersionId
      ? new NormscopeError('NotFound', `model version ${request.modelVersionId} does not exist`)
      : new NormscopeError(
          'Unavailable',
          'no model is active: train one or activate a model version before scoring',
        );
  }
  const studyUids =
    request.studyUids === 'unscored'
      ? unscoredStudies(store, model.id)
      : [...new Set(request.studyUids)];
  for (const studyUid of request.studyUids === 'unscored' ? [] : studyUids) {
    if (!store.studies.getStudy(studyUid))
      throw new NormscopeError('NotFound', `study ${studyUid} does not exist`);
  }
  if (request.seriesUid) {
    const owner = studyUids.find((uid) =>
      store.studies.getStudy(uid)?.series.some((s) => s.seriesUid === request.seriesUid),
    );
    if (!owner) {
      throw new NormscopeError(
        'NotFound',
        `series ${request.seriesUid} is not in the studies to score`,
      );
    }
    return {
      modelVersionId: model.id,
      studyUids: [owner],
      seriesUid: request.seriesUid,
      options: request.options,
      framesPerBatch,
    };
  }
  return { modelVersionId: model.id, studyUids, options: request.options, framesPerBatch };
}

/** Every frame to score, study by study, series by series, in slice order. */
function scoringFrames(store: Store, params: ScoringParams): ScoringFrame[] {
  const frames: ScoringFrame[] = [];
  for (const studyUid of params.studyUids) {
    const study = store.studies.getStudy(studyUid);
    // a study deleted since the job started has nothing left to score
    if (!study) continue;
    for (const series of study.series) {
      if (params.seriesUid && series.seriesUid !== params.seriesUid) continue;
      for (const instance of series.instances) {
        const file = instance.fileSha256
          ? { sha256: instance.fileSha256 }
          : instance.sourcePath
            ? { path: instance.sourcePath }
            : null;
        if (!file) continue;
        for (let frame = 0; frame < instance.frames; frame++) {
          frames.push({
            studyUid,
            seriesUid: series.seriesUid,
            sopInstanceUid: instance.sopInstanceUid,
            frame,
            ref: { file, frame },
          });
        }
      }
    }
  }
  return frames;
}

/** Writes series scores, and the study score when the run covered the whole study; returns the study score. */
function finishStudy(
  store: Store,
  runId: string,
  params: ScoringParams,
  studyUid: string,
): number | null {
  const study = store.studies.getStudy(studyUid);
  if (!study) return null;
  const reduction = toMlReduction(params.options.studyScore);
  const all: number[] = [];
  let complete = true;
  for (const series of study.series) {
    const expected = series.instances.reduce((sum, instance) => sum + instance.frames, 0);
    const scores = store.scoring.imageScores(runId, series.seriesUid).map((s) => s.imageScore);
    if (scores.length === 0 || scores.length < expected) {
      complete = false;
      continue;
    }
    store.scoring.putSeriesScore(
      runId,
      series.seriesUid,
      imageScore(Float32Array.from(scores), { reduction }),
    );
    all.push(...scores);
  }
  if (!complete || all.length === 0) return null;
  const score = imageScore(Float32Array.from(all), { reduction });
  store.scoring.putStudyScore(runId, studyUid, score);
  return score;
}

async function runScoring(
  core: EngineCore,
  params: ScoringParams,
  ctx: JobContext,
  jobId: string | null,
): Promise<ScoringSummary> {
  const { store } = core;
  const model = await loadModelVersion(core, params.modelVersionId);
  const manifest = manifestAtSize(model.manifest, model.preprocessing);
  const frames = scoringFrames(store, params);
  const summary: ScoringSummary = {
    runId: null,
    modelVersionId: model.version.id,
    studies: params.studyUids.length,
    frames: frames.length,
    framesScored: 0,
    studyScores: [],
  };
  if (frames.length === 0) return summary;

  const resumed = ScoringCheckpoint.safeParse(ctx.resumeFrom);
  let run: ScoringRun | undefined =
    resumed.success && resumed.data.runId ? store.scoring.getRun(resumed.data.runId) : undefined;
  if (run) store.scoring.setState(run.id, 'running');
  const session = sessionPreference(readSettings(store));
  const context = contextValidMask(model.configs, manifest.grid, manifest.grid);
  const imageReduction = toMlReduction(params.options.imageScore);
  const framesLeft = new Map<string, number>();
  for (const f of frames) framesLeft.set(f.studyUid, (framesLeft.get(f.studyUid) ?? 0) + 1);

  let done = 0;
  try {
    for (let start = 0; start < frames.length; start += params.framesPerBatch) {
      throwIfCancelled(ctx.signal, 'scoring');
      const batch = frames.slice(start, start + params.framesPerBatch);
      const runId = run?.id;
      const pending = runId
        ? batch.filter((f) => !store.scoring.getMap(runId, f.sopInstanceUid, f.frame))
        : batch;
      if (pending.length > 0) {
        const maps = await scoreFrames(core, model, manifest, pending, {
          ctx,
          session,
          context,
          imageReduction,
          done,
          total: frames.length,
        });
        run ??= startRun(store, model, maps.ranWith, params, jobId);
        store.scoring.putMaps(run.id, maps.maps);
        summary.framesScored += pending.length;
      }
      done += batch.length;
      ctx.checkpoint({ runId: run?.id ?? null, framesDone: done });
      ctx.progress.report(done / frames.length, `Scored ${done} of ${frames.length} frames`);
      for (const f of batch) framesLeft.set(f.studyUid, framesLeft.get(f.studyUid)! - 1);
      for (const studyUid of new Set(batch.map((f) => f.studyUid))) {
        if (framesLeft.get(studyUid) !== 0 || !run) continue;
        const score = finishStudy(store, run.id, params, studyUid);
        if (score !== null) summary.studyScores.push({ studyUid, score });
        core.events.publish('studies.changed', { reason: 'scoring', studyUids: [studyUid] });
      }
    }
  } catch (err) {
    if (run) store.scoring.setState(run.id, ctx.signal.aborted ? 'cancelled' : 'failed');
    throw err;
  }
  const finished = run!;
  store.transaction(() => {
    store.scoring.setState(finished.id, 'succeeded');
    store.audit.append({
      actor: 'system',
      action: 'scoring.run',
      objectIds: { scoringRunId: finished.id, modelVersionId: model.version.id, jobId },
      details: {
        event: 'finished',
        frames: frames.length,
        studies: params.studyUids.length,
        studyScores: summary.studyScores.length,
      },
    });
  });
  summary.runId = finished.id;
  return summary;
}

/** Features (cache or worker), then anomaly maps in the worker, then image scores; non-finite maps throw Refused. */
async function scoreFrames(
  core: EngineCore,
  model: Awaited<ReturnType<typeof loadModelVersion>>,
  manifest: ReturnType<typeof manifestAtSize>,
  frames: ScoringFrame[],
  how: {
    ctx: JobContext;
    session: ReturnType<typeof sessionPreference>;
    context: Uint8Array;
    imageReduction: MlReduction;
    done: number;
    total: number;
  },
): Promise<{ maps: AnomalyMap[]; ranWith: RanWith }> {
  const { ctx } = how;
  const features = await getFrameFeatures(
    core,
    frames.map((f) => f.ref),
    {
      backbone: model.backbone,
      spec: model.preprocessing,
      signal: ctx.signal,
      session: how.session,
      onProgress: (ready) =>
        ctx.progress.report(
          (how.done + 0.5 * ready) / how.total,
          `Features of ${how.done + ready} of ${how.total} frames`,
        ),
    },
  );
  const output = await core.workers.run(
    'engine.anomalyMaps',
    {
      model: {
        key: `${model.version.id}:${model.version.weightsSha256}`,
        configs: model.configs,
        weightsPath: core.store.files.pathOf(model.version.weightsSha256),
      },
      features: features.frames.map((f) => f.features),
      height: manifest.grid,
      width: manifest.grid,
      session: how.session,
      batchSize: AR_BATCH,
    },
    {
      timeoutMs: engineTimeoutMs(frames.length),
      memoryMb: ENGINE_WORKER_MEMORY_MB,
      signal: ctx.signal,
    },
  );
  const maps = frames.map((f, index): AnomalyMap => {
    const map = output.maps[index]!;
    assertFiniteScores(
      map,
      `anomaly map of frame ${f.frame} of instance ${f.sopInstanceUid} (model ${model.version.name})`,
    );
    const validMask = imageValidMask(features.frames[index]!.foreground, how.context);
    return {
      sopInstanceUid: f.sopInstanceUid,
      frame: f.frame,
      gridH: manifest.grid,
      gridW: manifest.grid,
      map: encodeFloat16(map),
      imageScore: imageScore(map, { reduction: how.imageReduction, validMask }),
    };
  });
  return {
    maps,
    ranWith: {
      provider: output.provider,
      ortVersion: output.ortVersion,
      intraOpThreads: output.intraOpThreads,
    },
  };
}

function startRun(
  store: Store,
  model: Awaited<ReturnType<typeof loadModelVersion>>,
  ranWith: RanWith,
  params: ScoringParams,
  jobId: string | null,
): ScoringRun {
  return store.transaction(() => {
    const run = store.scoring.startRun({
      jobId,
      modelVersionId: model.version.id,
      backboneSha256: model.backbone.sha256,
      onnxruntimeVersion: ranWith.ortVersion,
      provider: ranWith.provider,
      threads: ranWith.intraOpThreads,
      options: {
        imageScore: params.options.imageScore,
        studyScore: params.options.studyScore,
        minRelativeContext: MIN_RELATIVE_CONTEXT,
        weightsSha256: model.version.weightsSha256,
        preprocessing: model.preprocessing,
        ...(params.seriesUid ? { seriesUid: params.seriesUid } : {}),
      },
    });
    store.audit.append({
      actor: 'system',
      action: 'scoring.run',
      objectIds: { scoringRunId: run.id, modelVersionId: model.version.id, jobId },
      details: {
        event: 'started',
        studies: params.studyUids.length,
        provider: ranWith.provider,
        onnxruntimeVersion: ranWith.ortVersion,
        backboneSha256: model.backbone.sha256,
      },
    });
    return run;
  });
}

function scoringTitle(store: Store, params: ScoringParams): string {
  const name = store.models.getModelVersion(params.modelVersionId)?.name ?? params.modelVersionId;
  const what = params.seriesUid
    ? '1 series'
    : `${params.studyUids.length} stud${params.studyUids.length === 1 ? 'y' : 'ies'}`;
  return `Score ${what} with ${name}`;
}

/**
 * Starts a scoring job (kind 'score'). Throws at once, before any job exists:
 * NotFound for an unknown model, study or series, Unavailable when no model is
 * given and none is active. The job's result is a ScoringSummary.
 * `framesPerBatch`: frames per step (each step stores its maps and a checkpoint).
 */
export function startScoring(
  core: EngineCore,
  request: z.input<typeof ScoringRequest>,
  tuning: { framesPerBatch?: number } = {},
): StartedJob<ScoringSummary> {
  const params = resolveRequest(
    core.store,
    ScoringRequest.parse(request),
    tuning.framesPerBatch ?? FRAMES_PER_TASK,
  );
  let jobId: string | null = null;
  const started = core.jobs.start<ScoringSummary>({
    kind: 'score',
    title: scoringTitle(core.store, params),
    params,
    pausable: true,
    run: (ctx) => runScoring(core, params, ctx, jobId),
  });
  jobId = started.id;
  return started;
}

/** Rebuilds a scoring job left unfinished by a restart; it continues from its checkpoint. */
export function scoringResumer(core: EngineCore): JobResumer {
  return (stored) => {
    const params = ScoringParams.parse(stored);
    return { run: (ctx) => runScoring(core, params, ctx, null), pausable: true };
  };
}
