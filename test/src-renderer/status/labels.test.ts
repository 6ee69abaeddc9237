import { describe, expect, it } from 'vitest';
import { availableProvidersText, providerLabel, shortenPath } from '../../../src-renderer/status/labels';

describe('status bar labels', () => {
  it('names execution providers as vendors do', () => {
    expect(providerLabel('cpu')).toBe('CPU');
    expect(availableProvidersText(['cuda', 'cpu'])).toBe('Available: CUDA, CPU');
  });

  it('shortens a long data directory from the left, keeping its last folders', () => {
    expect(shortenPath('/home/reader/.config/Normscope', 48)).toBe('/home/reader/.config/Normscope');
    const short = shortenPath('/tmp/normscope-e2e-Ab12Cd/sites/zurich/data', 24);
    expect(short).toBe('…/sites/zurich/data');
    expect(short.length).toBeLessThanOrEqual(24);
    expect(shortenPath('C:\\Users\\reader\\AppData\\Roaming\\Normscope', 20)).toBe('…\\Roaming\\Normscope');
    expect(shortenPath('/a-single-folder-name-that-is-very-long', 12)).toHaveLength(12);
  });
});
