import { describe, expect, it } from 'vitest';
import type { Orientation, Vec3 } from '../../../src-main/dicom/header';
import { assembleSeries, sliceNormal, sortSeries } from '../../../src-main/dicom/series';
import type { SeriesMember } from '../../../src-main/dicom/series';

/** Deterministic Fisher-Yates shuffle. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function stack(
  orientation: Orientation,
  origin: Vec3,
  spacing: number,
  count: number,
  series = '1.2.3.2',
): SeriesMember[] {
  const n = sliceNormal(orientation);
  return Array.from({ length: count }, (_, k) => ({
    studyInstanceUid: '1.2.3.1',
    seriesInstanceUid: series,
    sopInstanceUid: `1.2.3.4.${k}`,
    // instance numbers deliberately run against the geometry, so only a position sort gets the order right
    instanceNumber: count - k,
    imagePositionPatient: [
      origin[0] + n[0] * spacing * k,
      origin[1] + n[1] * spacing * k,
      origin[2] + n[2] * spacing * k,
    ] as Vec3,
    imageOrientationPatient: orientation,
  }));
}

describe('series assembly', () => {
  it('orders shuffled axial slices by position along the normal and measures the spacing', () => {
    const slices = stack([1, 0, 0, 0, 1, 0], [-100, -100, -50], 2.5, 40);
    const sorted = sortSeries(shuffle(slices, 7));
    expect(sorted.sortedBy).toBe('position');
    expect(sorted.instances.map((i) => i.sopInstanceUid)).toEqual(
      slices.map((i) => i.sopInstanceUid),
    );
    expect(sorted.sliceSpacing).toBeCloseTo(2.5, 9);
    expect(sorted.normal).toEqual([0, 0, 1]);
  });

  it('orders an oblique stack (rotated about two axes) by its own normal, not by z', () => {
    const a = Math.PI / 7;
    const b = Math.PI / 5;
    const row: Vec3 = [Math.cos(a), Math.sin(a), 0];
    const col: Vec3 = [-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)];
    const slices = stack([...row, ...col] as Orientation, [10, -20, 30], 1.25, 25);
    const sorted = sortSeries(shuffle(slices, 3));
    expect(sorted.instances.map((i) => i.sopInstanceUid)).toEqual(
      slices.map((i) => i.sopInstanceUid),
    );
    expect(sorted.sliceSpacing).toBeCloseTo(1.25, 9);
    expect(sorted.orientation).toEqual([...row, ...col]);
  });

  it('falls back to Instance Number, then SOP UID, when positions are missing or orientations differ', () => {
    const slices = stack([1, 0, 0, 0, 1, 0], [0, 0, 0], 1, 5).map((s) => ({
      ...s,
      imagePositionPatient: undefined,
    }));
    const sorted = sortSeries(shuffle(slices, 11));
    expect(sorted.sortedBy).toBe('instance-number');
    expect(sorted.instances.map((i) => i.instanceNumber)).toEqual([1, 2, 3, 4, 5]);

    const mixed = [
      ...stack([1, 0, 0, 0, 1, 0], [0, 0, 0], 1, 2),
      ...stack([1, 0, 0, 0, 0, -1], [0, 0, 0], 1, 1),
    ];
    mixed[2] = { ...mixed[2]!, sopInstanceUid: '1.2.3.0', instanceNumber: 2 };
    expect(sortSeries(mixed).instances.map((i) => i.sopInstanceUid)).toEqual([
      '1.2.3.4.1',
      '1.2.3.0',
      '1.2.3.4.0',
    ]);
  });

  it('groups by study and series and keeps each series in its own order', () => {
    const first = stack([1, 0, 0, 0, 1, 0], [0, 0, 0], 3, 4, '1.2.3.2');
    const second = stack([0, 1, 0, 0, 0, -1], [0, 0, 0], 5, 3, '1.2.3.9');
    const series = assembleSeries(shuffle([...first, ...second], 5));
    expect(series.map((s) => [s.seriesInstanceUid, s.instances.length, s.sliceSpacing])).toEqual([
      ['1.2.3.2', 4, 3],
      ['1.2.3.9', 3, 5],
    ]);
    expect(series[1]!.instances.map((i) => i.sopInstanceUid)).toEqual(
      second.map((i) => i.sopInstanceUid),
    );
  });
});
