import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import { freshDataDir, prepareReviewData } from '../../review/review-fixture';
import type { ReviewFixture } from '../../review/review-fixture';
import { normscope } from '../run-in-process';

let dataDir: string;
let fixture: ReviewFixture;

beforeAll(async () => {
  dataDir = await freshDataDir();
  fixture = await prepareReviewData(dataDir, { normals: 1, abnormals: 0, slices: 2, size: 32 });
}, 60_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('normscope verdict', () => {
  it('records a verdict, and a second one supersedes it and says so', async () => {
    const study = fixture.studies[0]!.studyUid;
    const first = await normscope(['verdict', '--study', study, '--verdict', 'uncertain', '--reviewer', 'Dr Script', '--json', '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    const recorded = JSON.parse(first.out) as { id: number; supersedesId: number | null };
    expect(recorded).toMatchObject({ verdict: 'uncertain', reviewerName: 'Dr Script', supersedesId: null, modelVersionId: fixture.modelVersionId });

    const second = await normscope(['verdict', '--study', study, '--verdict', 'abnormal', '--reviewer', 'Dr Script', '--comment', 'second look', '--data-dir', dataDir]);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`abnormal on study ${study} by Dr Script`);
    expect(second.out).toContain(`supersedes verdict #${recorded.id}`);

    const store = openStore({ dataDir });
    try {
      expect(store.verdicts.history(study).map((v) => [v.verdict, v.comment])).toEqual([
        ['uncertain', ''],
        ['abnormal', 'second look'],
      ]);
      expect(store.reviewers.list().map((r) => r.name)).toEqual(['Dr Script']);
    } finally {
      store.close();
    }
  });

  it('exits 2 on a verdict value it does not know and 1 with a clear message on an unknown study', async () => {
    const bad = await normscope(['verdict', '--study', fixture.studies[0]!.studyUid, '--verdict', 'fine', '--reviewer', 'Dr Script', '--data-dir', dataDir]);
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('Allowed choices are normal, abnormal, uncertain') });
    const unknown = await normscope(['verdict', '--study', '1.2.999.1', '--verdict', 'normal', '--reviewer', 'Dr Nobody', '--data-dir', dataDir]);
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('study 1.2.999.1 is not in the data directory') });
  });
});
