import { describe, expect, it } from 'vitest';
import { bestEpoch, plateauEpoch } from '../../../src-main/training/curves';

describe('plateauEpoch', () => {
  it('is the epoch after which the loss never improved on its best by more than 1%', () => {
    expect(plateauEpoch([1, 0.8, 0.7, 0.695, 0.694, 0.71])).toBe(3);
    // small steps add up but none beats the best by 1%: still the plateau
    expect(plateauEpoch([1, 0.5, 0.496, 0.492, 0.488])).toBe(2);
    expect(plateauEpoch([1, 0.9, 0.8])).toBe(3);
    expect(plateauEpoch([0.5, 0.6, 0.7])).toBe(1);
    expect(plateauEpoch([])).toBeNull();
  });

  it('bestEpoch names the lowest value, 1-based', () => {
    expect(bestEpoch([0.3, 0.2, 0.25])).toBe(2);
    expect(bestEpoch([])).toBeNull();
  });
});
