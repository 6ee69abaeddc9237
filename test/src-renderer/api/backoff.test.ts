import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../../src-renderer/api/backoff';

describe('reconnectDelay', () => {
  it('doubles from the initial delay and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => reconnectDelay(a, 250, 10_000))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 10_000,
    ]);
    expect(reconnectDelay(1000, 250, 10_000)).toBe(10_000);
  });
});
