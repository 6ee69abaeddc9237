import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16ToFloat32 } from '../../../src-common/imaging/upsample';
import { saveThreshold } from '../../../src-main/review/thresholds';
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
    const reviewer = store.reviewers.create('Dr Worklist');
    saveThreshold(store, { modelVersionId: fixture.modelVersionId, reviewerId: reviewer.id, pixelThreshold: 0.5, imageThreshold: 0.6, method: { kind: 'manual' } });
    const after = listWorklist(store);
    expect(after.filter((row) => row.flagged).map((row) => row.studyUid).sort()).toEqual(
      fixture.studies.filter((s) => s.lesions).map((s) => s.studyUid).sort(),
    );
    expect(after.every((row) => row.imageThreshold === 0.6)).toBe(true);
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

describe('anomaly maps', () => {
  it('are stored as the fake scorer wrote them', () => {
    const study = fixture.studies[4]!;
    const map = store.scoring.getMap(fixture.scoringRunId, study.sopInstanceUids[3]!, 0)!;
    expect(Math.max(...float16ToFloat32(map.map))).toBeCloseTo(study.imageScores[3]!, 2);
  });
});
