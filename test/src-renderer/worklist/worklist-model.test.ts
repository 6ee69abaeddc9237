import { describe, expect, it } from 'vitest';
import type { WorklistEntry } from '../../../src-main/api/contract';
import { DEFAULT_SORT, formatPersonName, visibleRows } from '../../../src-renderer/worklist/worklist-model';

function entry(uid: string, patch: Partial<WorklistEntry>): WorklistEntry {
  return {
    studyUid: uid, studyDate: '2025-01-01', studyTime: null, description: 'MR brain', accessionNumber: null, modalities: ['MR'],
    patientId: `P${uid}`, patientName: `Doe^${uid}`, patientSex: null, seriesCount: 1, instanceCount: 10,
    score: null, scoringRunId: null, modelVersionId: null, imageThreshold: null, flagged: null, verdict: null,
    ...patch,
  };
}

const rows = [
  entry('1', { score: 0.2, flagged: false }),
  entry('2', { score: null }),
  entry('3', { score: 0.9, flagged: true, verdict: { id: 1, value: 'abnormal', reviewerName: 'A', at: 'x' } }),
  entry('4', { score: 0.5, flagged: true, description: 'CT chest', modalities: ['CT'] }),
];

describe('visibleRows', () => {
  it('sorts by score, highest first, unscored last', () => {
    expect(visibleRows(rows, { filter: 'all', search: '', sort: DEFAULT_SORT }).map((r) => r.studyUid)).toEqual(['3', '4', '1', '2']);
    expect(visibleRows(rows, { filter: 'all', search: '', sort: { key: 'score', descending: false } }).map((r) => r.studyUid)).toEqual(['1', '4', '3', '2']);
  });

  it('filters flagged, unreviewed and by verdict', () => {
    expect(visibleRows(rows, { filter: 'flagged', search: '', sort: DEFAULT_SORT }).map((r) => r.studyUid)).toEqual(['3', '4']);
    expect(visibleRows(rows, { filter: 'unreviewed', search: '', sort: DEFAULT_SORT }).map((r) => r.studyUid)).toEqual(['4', '1', '2']);
    expect(visibleRows(rows, { filter: 'abnormal', search: '', sort: DEFAULT_SORT }).map((r) => r.studyUid)).toEqual(['3']);
  });

  it('searches every word across patient, ID, description and modality, ignoring case', () => {
    expect(visibleRows(rows, { filter: 'all', search: 'ct CHEST', sort: DEFAULT_SORT }).map((r) => r.studyUid)).toEqual(['4']);
    expect(visibleRows(rows, { filter: 'all', search: 'doe^1', sort: DEFAULT_SORT }).map((r) => r.studyUid)).toEqual(['1']);
  });
});

describe('formatPersonName', () => {
  it('shows DICOM person names as "Family, Given"', () => {
    expect(formatPersonName('Doe^Jane^M')).toBe('Doe, Jane');
    expect(formatPersonName('Doe')).toBe('Doe');
    expect(formatPersonName(null)).toBe('(no name)');
  });
});
