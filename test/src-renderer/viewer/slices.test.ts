import { describe, expect, it } from 'vitest';
import type { SeriesView } from '../../../src-main/api/contract';
import { mostAnomalousSlice, prefetchOrder, seriesSlices } from '../../../src-renderer/viewer/slices';

const instance = (uid: string, frames = 1) => ({ sopInstanceUid: uid, instanceNumber: null, frames, rows: 4, columns: 4, position: null, attributes: {} });

describe('seriesSlices', () => {
  it('lists every frame in slice order with its score and finds the most anomalous', () => {
    const series: SeriesView = {
      seriesUid: '1', seriesNumber: 1, modality: 'MR', description: null, orientation: null, spacing: null,
      instances: [instance('1.1'), instance('1.2', 2)],
      imageScores: [{ sopInstanceUid: '1.2', frame: 1, imageScore: 0.9 }, { sopInstanceUid: '1.1', frame: 0, imageScore: 0.3 }],
    };
    const slices = seriesSlices(series);
    expect(slices.map((s) => [s.sopInstanceUid, s.frame, s.score])).toEqual([['1.1', 0, 0.3], ['1.2', 0, null], ['1.2', 1, 0.9]]);
    expect(mostAnomalousSlice(slices)).toBe(2);
    expect(mostAnomalousSlice(seriesSlices({ ...series, imageScores: [] }))).toBeNull();
  });
});

describe('prefetchOrder', () => {
  it('starts with the slice on screen and alternates outward within the series', () => {
    expect(prefetchOrder(1, 5, 3)).toEqual([1, 2, 0, 3, 4]);
  });
});
