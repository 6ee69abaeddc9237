import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import type { Store } from '../../../../src-main/store/store';
import { sampleStudy } from '../fixtures/sample-study';

let store: Store;
let reviewerId: string;
beforeEach(() => {
  store = openStore({ memory: true });
  store.studies.upsertInstances([...sampleStudy('1.1', 2), ...sampleStudy('2.2', 1, 'P-2')]);
  reviewerId = store.reviewers.create('Dr Grey').id;
});
afterEach(() => store.close());

describe('VerdictsRepository', () => {
  it('refuses UPDATE and DELETE on verdicts at the database level', () => {
    const verdict = store.verdicts.append({ studyUid: '1.1', reviewerId, verdict: 'normal' });
    expect(() =>
      store.db.prepare("UPDATE verdicts SET verdict = 'abnormal' WHERE id = ?").run(verdict.id),
    ).toThrow(/verdicts is append-only/);
    expect(() => store.db.prepare('DELETE FROM verdicts WHERE id = ?').run(verdict.id)).toThrow(
      /verdicts is append-only/,
    );
    expect(store.verdicts.current('1.1')?.verdict).toBe('normal');
  });

  it('supersedes: the current verdict changes and the history keeps both', () => {
    const first = store.verdicts.append({
      studyUid: '1.1',
      reviewerId,
      verdict: 'normal',
      comment: 'looks fine',
    });
    const second = store.verdicts.append({
      studyUid: '1.1',
      reviewerId,
      verdict: 'abnormal',
      comment: 'lesion left frontal',
      regionMarks: [
        {
          kind: 'polygon',
          points: [
            [1, 2],
            [3, 4],
            [5, 1],
          ],
        },
      ],
      supersedesId: first.id,
    });
    expect(store.verdicts.current('1.1')).toEqual(second);
    expect(store.verdicts.history('1.1').map((v) => [v.verdict, v.supersedesId])).toEqual([
      ['normal', null],
      ['abnormal', first.id],
    ]);
    expect(second.regionMarks).toEqual([
      {
        kind: 'polygon',
        points: [
          [1, 2],
          [3, 4],
          [5, 1],
        ],
      },
    ]);
    const row = store.studies.listWorklist().find((r) => r.studyUid === '1.1');
    expect(row?.verdict).toMatchObject({ id: second.id, value: 'abnormal', reviewerId });
  });

  it('refuses to supersede a verdict twice or across studies', () => {
    const first = store.verdicts.append({ studyUid: '1.1', reviewerId, verdict: 'normal' });
    store.verdicts.append({
      studyUid: '1.1',
      reviewerId,
      verdict: 'uncertain',
      supersedesId: first.id,
    });
    expect(() =>
      store.verdicts.append({
        studyUid: '1.1',
        reviewerId,
        verdict: 'abnormal',
        supersedesId: first.id,
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'Conflict',
        message: expect.stringMatching(/already superseded/),
      }),
    );
    expect(() =>
      store.verdicts.append({
        studyUid: '2.2',
        reviewerId,
        verdict: 'abnormal',
        supersedesId: first.id,
      }),
    ).toThrow(expect.objectContaining({ name: 'Conflict' }));
    // the database enforces the same rule for writers that bypass the repository
    expect(() =>
      store.db
        .prepare(
          "INSERT INTO verdicts (study_uid, reviewer_id, verdict, created_at, supersedes_id) VALUES ('2.2', ?, 'normal', '2026-01-01T00:00:00.000Z', ?)",
        )
        .run(reviewerId, first.id),
    ).toThrow(/same study/);
    expect(store.verdicts.history('1.1')).toHaveLength(2);
    expect(store.verdicts.current('2.2')).toBeUndefined();
  });

  it('refuses verdict values other than normal, abnormal, uncertain', () => {
    expect(() =>
      store.verdicts.append({ studyUid: '1.1', reviewerId, verdict: 'maybe' as 'normal' }),
    ).toThrow(/CHECK constraint/);
  });
});
