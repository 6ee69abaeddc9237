import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method, Params, Result } from '../../../src-main/api/contract';
import { fromErrorValue } from '../../../src-main/api/errors';
import { createCore, type Core } from '../../../src-main/core';
import { DEMO_STUDIES } from '../../../src-main/demo/demo-studies';
import { waitForJob } from '../../../src-main/jobs/wait';

async function call<M extends Method>(core: Core, method: M, params: Params<M>): Promise<Result<M>> {
  const outcome = await core.dispatch(method, params, { transport: 'test' });
  if (!outcome.ok) throw fromErrorValue(outcome.error);
  return outcome.result as Result<M>;
}

describe('the demo, loaded on an empty data directory', () => {
  let dataDir: string;
  let core: Core;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'normscope-demo-'));
    core = await createCore({ dataDir, host: 'web' });
    expect(await call(core, 'demo.status', {})).toEqual({ available: true, reason: null });
    const job = await call(core, 'demo.load', {});
    await waitForJob(core.jobs, core.events, job.id);
  }, 600_000);

  afterAll(async () => {
    await core?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives a new user a scored worklist with every demo study', async () => {
    const worklist = await call(core, 'studies.worklist', {});
    expect(worklist).toHaveLength(DEMO_STUDIES.length);
    expect(worklist.every((row) => row.score !== null)).toBe(true);
    expect(worklist.some((row) => row.flagged)).toBe(true);
  });

  it('says plainly that a stand-in backbone is active, with the demo model', async () => {
    const status = await call(core, 'app.status', {});
    expect(status.backbone?.standIn).toBe(true);
    expect(status.activeModel?.name).toMatch(/demo/i);
  });

  it('calibrates thresholds on the held-out normal studies at the documented false-positive rates', async () => {
    const thresholds = await call(core, 'review.thresholds', {});
    expect(thresholds.current).not.toBeNull();
    // the demo saves calibrate's defaults: 1% of normal pixels, 5% of normal images above threshold
    const calibration = await call(core, 'review.calibrate', { modelVersionId: thresholds.model!.id });
    expect(calibration.sources).toContain('validation');
    expect(calibration.normalStudies).toBeGreaterThanOrEqual(2);
    expect(thresholds.current!.pixelThreshold).toBe(calibration.pixelThreshold);
    expect(thresholds.current!.imageThreshold).toBe(calibration.imageThreshold);
    // never above the target: a threshold never splits tied scores, so it may land just below
    expect(calibration.achievedImageFpr).toBeLessThanOrEqual(0.05);
    expect(calibration.achievedPixelFpr).toBeLessThanOrEqual(0.01);
    expect(calibration.achievedPixelFpr).toBeGreaterThan(0.005);
  });

  it('records what it did in the audit trail', () => {
    const actions = core.store.audit.list().map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['backbone.import', 'training.start', 'model.activate']));
  });

  it('refuses to load into a data directory that already has studies', async () => {
    const status = await call(core, 'demo.status', {});
    expect(status.available).toBe(false);
    await expect(call(core, 'demo.load', {})).rejects.toMatchObject({ name: 'Conflict' });
  });
});
