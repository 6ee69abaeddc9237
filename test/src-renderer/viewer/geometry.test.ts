import { describe, expect, it } from 'vitest';
import { directionLabel, orientationMarkers, scaleBar } from '../../../src-renderer/viewer/geometry';

describe('orientation markers', () => {
  it('label an axial image R/L, A/P', () => {
    expect(orientationMarkers([1, 0, 0, 0, 1, 0])).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });

  it('label a sagittal image A/P, S/I and an oblique one with two letters', () => {
    expect(orientationMarkers([0, 1, 0, 0, 0, -1])).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    expect(directionLabel([0.8, 0.6, 0])).toBe('LP');
    expect(orientationMarkers(null)).toBeNull();
  });
});

describe('scaleBar', () => {
  it('picks the longest round length that fits', () => {
    // 0.5 mm per screen pixel: 50 mm = 100 px fits in 140 px, 100 mm = 200 px does not
    expect(scaleBar(0.5)).toEqual({ mm: 50, px: 100 });
    expect(scaleBar(null)).toBeNull();
  });
});
