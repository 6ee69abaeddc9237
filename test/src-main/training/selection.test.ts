import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';
import {
  MIN_TRAINING_FRAMES,
  framesOf,
  planSelection,
  selectNormals,
  splitByStudy,
} from '../../../src-main/training/selection';
import { addStudies, markStudies, studyInstances } from './fixtures/training-data';

let store: Store;
afterEach(() => store?.close());

function freshStore(): Store {
  store = openStore({ memory: true });
  return store;
}

describe('selectNormals', () => {
  it('takes studies marked normal, or all but abnormal/uncertain ones, or a checked hand-picked list', () => {
    const s = freshStore();
    const [a, b, c, d] = addStudies(s, '1.2.3', 4, 2);
    markStudies(s, [a!], 'normal');
    markStudies(s, [b!], 'abnormal');
    markStudies(s, [c!], 'uncertain');
    expect(selectNormals(s, 'verdict:normal')).toEqual([a]);
    expect(selectNormals(s, 'all')).toEqual([a, d]);
    expect(selectNormals(s, [d!, a!, d!])).toEqual([a, d]);
    expect(() => selectNormals(s, [b!])).toThrow(/marked abnormal/);
    expect(() => selectNormals(s, ['9.9.9'])).toThrow(/not in the worklist/);
  });
});

describe('splitByStudy', () => {
  const uids = Array.from({ length: 10 }, (_, i) => `1.2.${i}`);

  it('holds out whole studies, seeded and disjoint', () => {
    const first = splitByStudy(uids, 0.2, 7);
    expect(first.validation).toHaveLength(2);
    expect([...first.training, ...first.validation].sort()).toEqual([...uids].sort());
    expect(splitByStudy([...uids].reverse(), 0.2, 7)).toEqual(first);
    const others = [1, 2, 3, 4, 5].map((seed) => splitByStudy(uids, 0.2, seed).validation.join());
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it('keeps at least one validation study when there are two, and never all of them', () => {
    expect(splitByStudy(['a', 'b'], 0.05, 0).validation).toHaveLength(1);
    expect(splitByStudy(['a', 'b', 'c'], 0.9, 0).training).toHaveLength(1);
    expect(splitByStudy(['a', 'b'], 0, 0).validation).toHaveLength(0);
  });
});

describe('planSelection', () => {
  it('never puts slices of one study on both sides, and records abnormal studies for AUPR', () => {
    const s = freshStore();
    const normals = addStudies(s, '1.2.5', 5, 4);
    const abnormal = addStudies(s, '1.2.6.abn', 1, 3);
    markStudies(s, abnormal, 'abnormal');
    const plan = planSelection(s, 'all', 0.4, 3);
    expect(plan.validation.map((e) => e.studyUid)).toHaveLength(2);
    const trainingFrames = framesOf(s, plan.training);
    const validationFrames = framesOf(s, plan.validation);
    const studiesOf = (frames: { studyUid: string }[]) => new Set(frames.map((f) => f.studyUid));
    for (const uid of studiesOf(validationFrames)) expect(studiesOf(trainingFrames).has(uid)).toBe(false);
    expect(trainingFrames).toHaveLength(12);
    expect(plan.abnormal.map((e) => e.studyUid)).toEqual(abnormal);
    expect(normals).toContain(plan.training[0]!.studyUid);
  });

  it('refuses fewer than two normal studies or too few training images, saying how many it found', () => {
    const s = freshStore();
    addStudies(s, '1.2.7', 1, 40);
    expect(() => planSelection(s, 'all', 0.2, 0)).toThrow(/at least 2 normal studies.*found 1/);
    addStudies(s, '1.2.8', 1, 3);
    // 0.2 of 2 studies holds one out: the one left has 3 or 40 frames depending on the seed
    const refused = [0, 1, 2, 3, 4, 5].map((seed) => {
      try {
        planSelection(s, 'all', 0.2, seed);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    expect(refused.some((m) => m?.includes(`at least ${MIN_TRAINING_FRAMES} normal images`))).toBe(true);
    expect(refused.some((m) => m === null)).toBe(true);
  });

  it('hashes the studies: a study that changes after the run recorded it is refused on resume', () => {
    const s = freshStore();
    addStudies(s, '1.2.9', 3, 4);
    const plan = planSelection(s, 'all', 0.3, 0);
    const changed = plan.training[0]!.studyUid;
    s.studies.upsertInstances(studyInstances(changed, 5));
    expect(() => framesOf(s, plan.training)).toThrow(/changed since the run recorded it/);
  });
});
