import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src-main/store/store';
import type { Store } from '../../../../src-main/store/store';
import { sampleModel } from '../fixtures/sample-model';
import { sampleStudy } from '../fixtures/sample-study';

let store: Store;
beforeEach(() => {
  store = openStore({ memory: true });
});
afterEach(() => store.close());

describe('StudiesRepository', () => {
  it('stores patient, study, series and instances and returns them sorted along the slice normal', () => {
    expect(store.studies.upsertInstances(sampleStudy('1.1', 3))).toEqual([
      'inserted',
      'inserted',
      'inserted',
    ]);
    const detail = store.studies.getStudy('1.1');
    expect(detail?.patient).toEqual({
      patientId: 'P-1',
      issuer: '',
      name: 'Doe^Jane',
      birthDate: '1970-01-01',
      sex: 'F',
    });
    expect(detail?.study).toMatchObject({
      studyUid: '1.1',
      studyDate: '2026-01-15',
      modalities: ['CT'],
    });
    expect(detail?.series).toHaveLength(1);
    expect(detail?.series[0]).toMatchObject({
      seriesUid: '1.1.1',
      orientation: [1, 0, 0, 0, 1, 0],
      spacing: [0.5, 0.5, 2],
    });
    // positions are 6, 4, 2 mm for instances 1, 2, 3
    expect(detail?.series[0]?.instances.map((i) => i.instanceNumber)).toEqual([3, 2, 1]);
    expect(store.studies.getStudy('9.9')).toBeUndefined();
  });

  it('treats re-importing an instance as a no-op', () => {
    store.studies.upsertInstances(sampleStudy('1.1', 2));
    expect(store.studies.upsertInstances(sampleStudy('1.1', 3))).toEqual([
      'existing',
      'existing',
      'inserted',
    ]);
    expect(store.studies.listWorklist()[0]?.instanceCount).toBe(3);
  });

  it('imports a batch all-or-nothing', () => {
    const batch = sampleStudy('1.1', 3);
    batch[2]!.instance.rows = 0; // violates rows >= 1
    expect(() => store.studies.upsertInstances(batch)).toThrow(/CHECK constraint/);
    expect(store.studies.getStudy('1.1')).toBeUndefined();
    expect(store.studies.listWorklist()).toEqual([]);
  });

  it('derives the study modalities from its series', () => {
    const ct = sampleStudy('1.1', 1);
    const mr = sampleStudy('1.1', 1).map((item) => ({
      ...item,
      series: { ...item.series, seriesUid: '1.1.2', modality: 'MR' },
      instance: { ...item.instance, sopInstanceUid: '1.1.2.1' },
    }));
    store.studies.upsertInstances([...mr, ...ct]);
    expect(store.studies.getStudy('1.1')?.study.modalities).toEqual(['CT', 'MR']);
  });

  it('lists the worklist with the latest study score first and unscored studies last', () => {
    store.studies.upsertInstances([
      ...sampleStudy('1.1', 1),
      ...sampleStudy('2.2', 1, 'P-2'),
      ...sampleStudy('3.3', 1, 'P-3'),
    ]);
    const model = sampleModel(store);
    const run = (): string =>
      store.scoring.startRun({
        modelVersionId: model.id,
        backboneSha256: 'a'.repeat(64),
        onnxruntimeVersion: '1.30.0',
        provider: 'cpu',
        threads: 2,
      }).id;
    const first = run();
    store.scoring.putStudyScore(first, '1.1', 0.9);
    store.scoring.putStudyScore(first, '2.2', 0.2);
    const second = run();
    store.scoring.putStudyScore(second, '2.2', 1.5); // a later run supersedes the earlier score
    const rows = store.studies.listWorklist();
    expect(rows.map((r) => [r.studyUid, r.score?.value ?? null])).toEqual([
      ['2.2', 1.5],
      ['1.1', 0.9],
      ['3.3', null],
    ]);
    expect(rows[0]).toMatchObject({
      patientId: 'P-2',
      seriesCount: 1,
      instanceCount: 1,
      verdict: null,
    });
    expect(rows[0]?.score).toMatchObject({ scoringRunId: second, modelVersionId: model.id });
  });
});
