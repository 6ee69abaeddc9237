import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16ToFloat32 } from '../../../src-common/imaging/upsample';
import { NormscopeError } from '../../../src-main/api/errors';
import { thresholdAtFalsePositiveRate } from '../../../src-main/ml/metrics';
import { calibrate, performance, saveThreshold } from '../../../src-main/review/thresholds';
import { recordVerdict, verdictHistory } from '../../../src-main/review/verdicts';
import { listWorklist, readStudyView } from '../../../src-main/review/worklist';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';
import { freshDataDir, prepareReviewData } from './review-fixture';
import type { ReviewFixture } from './review-fixture';

let dataDir: string;
let fixture: ReviewFixture;
let store: Store;

beforeAll(async () => {
  dataDir = await freshDataDir();
  fixture = await prepareReviewData(dataDir, { normals: 3, abnormals: 2, slices: 6, size: 64 });
  store = openStore({ dataDir });
}, 60_000);

afterAll(async () => {
  store?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('worklist', () => {
  it('lists lesioned studies first, unflagged until a threshold exists, then flagged by it', () => {
    const before = listWorklist(store);
    expect(before).toHaveLength(5);
    expect(before.slice(0, 2).every((row) => fixture.studies.find((s) => s.studyUid === row.studyUid)!.lesions)).toBe(true);
    expect(before.every((row) => row.flagged === null)).toBe(true);
  });

  it('gives the viewer series in slice order with per-slice scores of the scoring run', () => {
    const study = fixture.studies[4]!;
    const view = readStudyView(store, study.studyUid);
    expect(view.series[0]!.instances).toHaveLength(6);
    expect(view.series[0]!.imageScores.map((s) => s.imageScore)).toEqual(study.imageScores);
    expect(view.scoring?.scoringRunId).toBe(fixture.scoringRunId);
    expect(() => readStudyView(store, '1.2.3')).toThrow(/not in the data directory/);
  });
});

describe('verdicts', () => {
  it('supersede the previous verdict, keep the history, record model and threshold, and audit in the same transaction', () => {
    const reviewer = store.reviewers.create('Dr Review');
    const study = fixture.studies[0]!;
    const auditBefore = store.audit.head()?.seq ?? 0;
    const first = recordVerdict(store, { studyUid: study.studyUid, reviewerId: reviewer.id, verdict: 'abnormal', comment: '', regionMarks: [] });
    const second = recordVerdict(store, { studyUid: study.studyUid, reviewerId: reviewer.id, verdict: 'normal', comment: 'clear', regionMarks: [] });
    expect(second.supersedesId).toBe(first.id);
    expect(second.modelVersionId).toBe(fixture.modelVersionId);
    expect(verdictHistory(store, study.studyUid).map((v) => v.verdict)).toEqual(['abnormal', 'normal']);
    const entries = store.audit.list(auditBefore + 1);
    expect(entries.map((e) => e.action)).toEqual(['verdict.record', 'verdict.supersede']);
    expect(entries[1]!.objectIds).toMatchObject({ verdictId: second.id, supersedesId: first.id });
    expect(listWorklist(store).find((r) => r.studyUid === study.studyUid)!.verdict?.value).toBe('normal');
  });

  it('are not kept when their audit entry cannot be written', () => {
    const reviewer = store.reviewers.findByName('Dr Review')!;
    const study = fixture.studies[1]!;
    const failingAudit = {
      ...store,
      audit: { append: () => { throw new NormscopeError('Refused', 'audit trail unwritable'); } },
    } as unknown as Store;
    expect(() =>
      recordVerdict(failingAudit, { studyUid: study.studyUid, reviewerId: reviewer.id, verdict: 'normal', comment: '', regionMarks: [] }),
    ).toThrow(/audit trail unwritable/);
    expect(store.verdicts.history(study.studyUid)).toHaveLength(0);
  });

  it('need a known reviewer', () => {
    expect(() =>
      recordVerdict(store, { studyUid: fixture.studies[1]!.studyUid, reviewerId: 'nobody', verdict: 'normal', comment: '', regionMarks: [] }),
    ).toThrow(/reviewer/);
  });
});

describe('thresholds', () => {
  it('calibrate on normal-verdict studies to the target image and pixel false-positive rates', () => {
    const reviewer = store.reviewers.findByName('Dr Review')!;
    for (const study of fixture.studies.slice(1, 3)) {
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
    const reviewer = store.reviewers.findByName('Dr Review')!;
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

describe('anomaly maps', () => {
  it('are stored as the fake scorer wrote them', () => {
    const study = fixture.studies[4]!;
    const map = store.scoring.getMap(fixture.scoringRunId, study.sopInstanceUids[3]!, 0)!;
    expect(Math.max(...float16ToFloat32(map.map))).toBeCloseTo(study.imageScores[3]!, 2);
  });
});
