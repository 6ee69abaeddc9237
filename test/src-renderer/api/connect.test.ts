import { describe, expect, it } from 'vitest';
import { apiSocketUrl } from '../../../src-renderer/api/connect';

describe('apiSocketUrl', () => {
  it('points at /api on the page origin with the page token', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:5123', search: '?token=abc%2Bdef' })).toBe(
      'ws://127.0.0.1:5123/api?token=abc%2Bdef',
    );
  });

  it('says how to open the page when the token is missing', () => {
    expect(() => apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:5123', search: '' })).toThrow(/normscope serve/);
  });
});
