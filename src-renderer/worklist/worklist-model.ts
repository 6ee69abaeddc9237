/**
 * What the worklist shows: filter, search and sort over the rows of
 * `studies.worklist`. Pure, so the rules are tested without a window.
 */
import type { WorklistEntry } from '../../src-main/api/contract';

export type WorklistFilter = 'all' | 'flagged' | 'unreviewed' | 'normal' | 'abnormal' | 'uncertain';
export type SortKey = 'score' | 'date' | 'patient' | 'modality' | 'description' | 'verdict';
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_SORT: SortOrder = { key: 'score', descending: true };

export const FILTER_LABELS: Readonly<Record<WorklistFilter, string>> = {
  all: 'All',
  flagged: 'Flagged',
  unreviewed: 'Unreviewed',
  normal: 'Normal',
  abnormal: 'Abnormal',
  uncertain: 'Uncertain',
};

function matchesFilter(row: WorklistEntry, filter: WorklistFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'flagged':
      return row.flagged === true;
    case 'unreviewed':
      return row.verdict === null;
    default:
      return row.verdict?.value === filter;
  }
}

function matchesSearch(row: WorklistEntry, words: string[]): boolean {
  if (words.length === 0) return true;
  const text = [row.patientName, row.patientId, row.description, row.accessionNumber, row.studyDate, ...row.modalities]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

function sortValue(row: WorklistEntry, key: SortKey): string | number | null {
  switch (key) {
    case 'score':
      return row.score;
    case 'date':
      return row.studyDate ? `${row.studyDate} ${row.studyTime ?? ''}` : null;
    case 'patient':
      return row.patientName?.toLowerCase() ?? null;
    case 'modality':
      return row.modalities.join(',') || null;
    case 'description':
      return row.description?.toLowerCase() ?? null;
    case 'verdict':
      return row.verdict?.value ?? null;
  }
}

/** Rows that pass the filter and every search word, sorted; missing values sort last either way. */
export function visibleRows(
  rows: readonly WorklistEntry[],
  options: { filter: WorklistFilter; search: string; sort: SortOrder },
): WorklistEntry[] {
  const words = options.search.toLowerCase().split(/\s+/).filter(Boolean);
  const direction = options.sort.descending ? -1 : 1;
  return rows
    .filter((row) => matchesFilter(row, options.filter) && matchesSearch(row, words))
    .map((row, index) => ({ row, index, value: sortValue(row, options.sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      }
      if (a.value < b.value) return -direction;
      if (a.value > b.value) return direction;
      return a.index - b.index;
    })
    .map(({ row }) => row);
}

/** DICOM date (YYYY-MM-DD) for display, or an en dash. */
export function formatDate(date: string | null): string {
  return date ?? '–';
}

/** DICOM person name (Family^Given^Middle) as "Family, Given". */
export function formatPersonName(name: string | null): string {
  if (!name) return '(no name)';
  const [family = '', given = ''] = name.split('^');
  return given ? `${family}, ${given}` : family;
}
