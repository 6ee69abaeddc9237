import { describe, expect, it } from 'vitest';
import { chooseProvider, detectProviders } from '../../../src-main/core/execution-provider';

describe('chooseProvider', () => {
  it('takes the fastest available provider on auto', () => {
    expect(chooseProvider(['cuda', 'cpu'], 'auto')).toEqual({ active: 'cuda', available: ['cuda', 'cpu'] });
    expect(chooseProvider(['dml', 'cpu'], 'auto').active).toBe('dml');
    expect(chooseProvider(['coreml', 'cpu'], 'auto').active).toBe('coreml');
  });

  it('follows the setting when it names an available provider, else chooses itself', () => {
    expect(chooseProvider(['cuda', 'cpu'], 'cpu').active).toBe('cpu');
    expect(chooseProvider(['cpu'], 'cuda')).toEqual({ active: 'cpu', available: ['cpu'] });
  });

  it('always offers the CPU', () => {
    expect(chooseProvider([], 'auto')).toEqual({ active: 'cpu', available: ['cpu'] });
  });
});

describe('detectProviders', () => {
  it('reports the CPU on a machine without the CUDA provider library (this one)', async () => {
    const choice = await detectProviders('auto');
    expect(choice.available).toContain('cpu');
    expect(choice.available).toContain(choice.active);
  });
});
