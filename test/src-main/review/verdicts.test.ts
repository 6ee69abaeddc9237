import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NormscopeError } from '../../../src-main/api/errors';
import { recordVerdict, verdictHistory } from '../../../src-main/review/verdicts';
import { listWorklist } from '../../../src-main/review/worklist';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';
import { freshDataDir, prepareReviewData } from './review-fixture';
import type { ReviewFixture } from './review-fixture';

let dataDir: string;
let fixture: ReviewFixture;
let store: Store;

beforeAll(async () => {
  dataDir = await freshDataDir();
  fixture = await prepareReviewData(dataDir, { normals: 1, abnormals: 1, slices: 2, size: 32 });
  store = openStore({ dataDir });
}, 60_000);

afterAll(async () => {
  store?.close();
  await rm(dataDir, { recursive: true, force: true });
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
