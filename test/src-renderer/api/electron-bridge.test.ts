import { describe, expect, it } from 'vitest';
import type { NormscopeError } from '../../../src-main/api/errors';
import { ElectronTransport, findBridge } from '../../../src-renderer/api/electron-bridge';
import type { NormscopeBridge } from '../../../src-renderer/api/electron-bridge';

describe('Electron bridge transport', () => {
  it('is found only when the preload exposed a complete bridge', () => {
    expect(findBridge({})).toBeNull();
    expect(findBridge({ normscope: { host: 'electron' } })).toBeNull();
    const bridge: NormscopeBridge = { host: 'electron', call: async () => 1, on: () => () => {} };
    expect(findBridge({ normscope: bridge })).toBe(bridge);
  });

  it('turns the error values the preload rejects with into named errors', async () => {
    const transport = new ElectronTransport({
      host: 'electron',
      call: () => Promise.reject({ name: 'NotFound', message: 'No job with id j9' }),
      on: () => () => {},
    });
    const error = (await transport.call('jobs.cancel', { jobId: 'j9' }).catch((e: unknown) => e)) as NormscopeError;
    expect([error.name, error.message]).toEqual(['NotFound', 'No job with id j9']);
  });

  it('treats a rejection without an error name as a bug, keeping its text', async () => {
    const transport = new ElectronTransport({
      host: 'electron',
      call: () => Promise.reject(new Error("Error invoking remote method 'normscope:call'")),
      on: () => () => {},
    });
    const error = (await transport.call('app.status', {}).catch((e: unknown) => e)) as NormscopeError;
    expect(error.name).toBe('Internal');
    expect(error.message).toContain('invoking remote method');
  });
});
