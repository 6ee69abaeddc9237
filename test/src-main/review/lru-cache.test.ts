import { describe, expect, it } from 'vitest';
import { ByteLruCache } from '../../../src-main/review/lru-cache';

describe('ByteLruCache', () => {
  it('drops the least recently used entries once over its byte budget', () => {
    const cache = new ByteLruCache<Uint8Array>(10);
    cache.set('a', new Uint8Array(4));
    cache.set('b', new Uint8Array(4));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('c', new Uint8Array(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.byteSize).toBe(8);
  });

  it('does not keep a value larger than the whole budget, and replaces a key in place', () => {
    const cache = new ByteLruCache<Uint8Array>(10);
    cache.set('big', new Uint8Array(11));
    expect(cache.size).toBe(0);
    cache.set('a', new Uint8Array(3));
    cache.set('a', new Uint8Array(5));
    expect(cache.byteSize).toBe(5);
  });
});
