import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thresholdAtFalsePositiveRate } from '../../../src-main/ml/metrics';
import { calibrate, performance, saveThreshold } from '../../../src-main/review/thresholds';
import { recordVerdict } from '../../../src-main/review/verdicts';
import { listWorklist } from '../../../src-main/review/worklist';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';
import { freshDataDir, prepareReviewData } from './review-fixture';
import type { ReviewFixture } from './review-fixture';

let dataDir: string;
let fixture: ReviewFixture;
let store: Store;
let reviewer: { id: string };

beforeAll(async () => {
  dataDir = await freshDataDir();
  fixture = await prepareReviewData(dataDir, { normals: 3, abnormals: 2, slices: 6, size: 64 });
  store = openStore({ dataDir });
  reviewer = store.reviewers.create('Dr Review');
}, 60_000);

afterAll(async () => {
  store?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('thresholds', () => {
  it('calibrate on normal-verdict studies to the target image and pixel false-positive rates', () => {
    for (const study of fixture.studies.slice(0, 3)) {
      recordVerdict(store, { studyUid: study.studyUid, reviewerId: reviewer.id, verdict: 'normal', comment: '', regionMarks: [] });
    }
    const calibration = calibrate(store, { modelVersionId: fixture.modelVersionId, targetPixelFpr: 0.05, targetImageFpr: 0.2 });
    const normalImageScores = fixture.studies.slice(0, 3).flatMap((s) => s.imageScores);
    expect(calibration.normalStudies).toBe(3);
    expect(calibration.normalImages).toBe(18);
    expect(calibration.imageThreshold).toBe(thresholdAtFalsePositiveRate(normalImageScores, 0.2));
    expect(calibration.achievedImageFpr).toBeLessThanOrEqual(0.2);
    expect(calibration.achievedImageFpr).toBeGreaterThan(0.1);
    expect(calibration.achievedPixelFpr).toBeLessThanOrEqual(0.05);
    expect(calibration.achievedPixelFpr).toBeGreaterThan(0.04);
  });

  it('save as a new audited version, after which the worklist flags by it and performance has an ROC', () => {
    for (const study of fixture.studies.slice(3)) {
      recordVerdict(store, { studyUid: study.studyUid, reviewerId: reviewer.id, verdict: 'abnormal', comment: '', regionMarks: [] });
    }
    const first = saveThreshold(store, { modelVersionId: fixture.modelVersionId, reviewerId: reviewer.id, pixelThreshold: 0.5, imageThreshold: 0.6, method: { kind: 'manual' } });
    const second = saveThreshold(store, { modelVersionId: fixture.modelVersionId, reviewerId: reviewer.id, pixelThreshold: 0.4, imageThreshold: 0.5, method: { kind: 'manual' } });
    expect(second.id).toBeGreaterThan(first.id);
    expect(store.thresholds.history(fixture.modelVersionId)).toHaveLength(2);
    expect(store.audit.list(1).filter((e) => e.action === 'threshold.change')).toHaveLength(2);
    const rows = listWorklist(store);
    for (const row of rows) expect(row.flagged).toBe(row.score! >= 0.5);
    const result = performance(store, fixture.modelVersionId);
    expect(result.normals).toBe(3);
    expect(result.abnormals).toBe(2);
    expect(result.auroc).toBe(1);
    expect(result.confusion).toEqual({ truePositives: 2, falsePositives: 0, trueNegatives: 3, falseNegatives: 0 });
  });
});
