/**
 * Loading the demo: what a new site would do by hand, through the same
 * contract the window uses: import the phantom studies, import a stand-in
 * backbone, train a model on the normal studies, activate it, score every
 * study and calibrate thresholds on the held-out normals. A new user sees a
 * scored worklist with overlays within about two minutes on 2 cores.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Method, Params, Result, JobInfo } from '../api/contract';
import type { Dispatch } from '../api/dispatch';
import type { EventSource } from '../api/event-bus';
import { NormscopeError, fromErrorValue } from '../api/errors';
import type { JobContext, JobManager } from '../jobs/job-manager';
import { waitForJob } from '../jobs/wait';
import { buildStandInBackbone } from '../ml/backbone/standin';
import type { Store } from '../store/store';
import { DEMO_STUDIES, writeDemoStudies } from './demo-studies';

export interface DemoDeps {
  dataDir: string;
  store: Store;
  jobs: Pick<JobManager, 'get' | 'cancel'>;
  events: EventSource;
  /** the core's dispatcher: the demo calls the contract as a user's window does */
  dispatch: () => Dispatch;
}

export interface DemoSummary {
  studies: number;
  modelVersionId: string;
  backboneId: string;
  imageThreshold: number;
  pixelThreshold: number;
}

/**
 * The demo model: the paper's architecture and recipe scaled down (hidden
 * width 64, 30 epochs) so it trains in seconds on the tiny stand-in's
 * 32-channel features. It is a demonstration, not a clinical model.
 */
export const DEMO_TRAINING = {
  recipe: { epochs: 30, batchSize: 16, lr: 1e-3, warmupSteps: 10, seed: 7 },
  model: { mode: 'bidirectional', hidden: 64 },
  validationShare: 0.34,
} as const;

export const DEMO_REVIEWER = 'Demo radiologist';

/** Why the demo cannot load into this data directory, or null when it can. */
export function demoRefusal(store: Store): string | null {
  if (store.studies.listWorklist().length > 0 || store.models.listModelVersions().length > 0) {
    return 'the demo loads only into an empty data directory (this one already has studies or models); start Normscope with another --data-dir to see it';
  }
  return null;
}

export async function runDemo(deps: DemoDeps, ctx: JobContext): Promise<DemoSummary> {
  const refusal = demoRefusal(deps.store);
  if (refusal) throw new NormscopeError('Conflict', refusal);

  const call = async <M extends Method>(method: M, params: Params<M>): Promise<Result<M>> => {
    const outcome = await deps.dispatch()(method, params, { transport: 'cli' });
    if (!outcome.ok) throw fromErrorValue(outcome.error);
    return outcome.result as Result<M>;
  };
  const step = (fraction: number, message: string): void => ctx.progress.report(fraction, message);
  const waitFor = (jobId: string): Promise<JobInfo> => waitForJob(deps.jobs, deps.events, jobId, ctx.signal);

  const sourceDir = join(deps.dataDir, 'demo-source');
  await rm(sourceDir, { recursive: true, force: true });
  await mkdir(sourceDir, { recursive: true });
  try {
    step(0, 'Generating phantom studies');
    const written = await writeDemoStudies(sourceDir, {
      signal: ctx.signal,
      onStudy: (done, total) => step(0.3 * (done / total), `Generated phantom study ${done} of ${total}`),
    });

    step(0.3, 'Importing the phantom studies');
    const imported = await call('imports.start', { paths: written.map((w) => join(sourceDir, w.spec.patientId)) });
    await waitFor(imported.id);

    step(0.4, 'Importing the stand-in backbone (not for clinical use)');
    const backbonePath = join(sourceDir, 'standin-tiny.onnx');
    await writeFile(backbonePath, buildStandInBackbone({ preset: 'tiny', seed: 1 }));
    const { backbone } = await call('backbones.import', { path: backbonePath, name: 'Stand-in ViT (tiny, demo)' });

    step(0.45, 'Training the demo model on the normal studies');
    const reviewer = await call('review.createReviewer', { name: DEMO_REVIEWER });
    const normals = written.filter((w) => !w.spec.lesions).map((w) => w.studyInstanceUid);
    const training = await call('training.start', {
      normals,
      backboneId: backbone.id,
      recipe: DEMO_TRAINING.recipe,
      model: DEMO_TRAINING.model,
      validationShare: DEMO_TRAINING.validationShare,
      reviewerId: reviewer.id,
      name: 'Demo model (stand-in backbone)',
    });
    await waitFor(training.jobId);
    const run = await call('training.run', { runId: training.runId });
    if (!run.modelVersionId) throw new NormscopeError('Internal', 'the demo training run ended without a model version');
    await call('models.activate', { id: run.modelVersionId, reviewerId: reviewer.id });

    step(0.8, 'Scoring every study');
    const scoring = await call('scoring.start', { studyUids: 'unscored' });
    await waitFor(scoring.id);

    step(0.95, 'Calibrating thresholds on the held-out normal studies');
    const calibration = await call('review.calibrate', { modelVersionId: run.modelVersionId });
    const saved = await call('review.saveThreshold', {
      modelVersionId: run.modelVersionId,
      reviewerId: reviewer.id,
      pixelThreshold: calibration.pixelThreshold,
      imageThreshold: calibration.imageThreshold,
      method: { source: 'demo', calibration },
    });
    step(1, 'Demo loaded');
    return {
      studies: DEMO_STUDIES.length,
      modelVersionId: run.modelVersionId,
      backboneId: backbone.id,
      imageThreshold: saved.imageThreshold,
      pixelThreshold: saved.pixelThreshold,
    };
  } finally {
    await rm(sourceDir, { recursive: true, force: true });
  }
}
