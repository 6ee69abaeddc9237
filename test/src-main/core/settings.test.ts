import { describe, expect, it } from 'vitest';
import { settingsFromStored } from '../../../src-main/core/handlers/settings';

describe('settingsFromStored', () => {
  it('fills defaults and keeps valid stored values', () => {
    expect(settingsFromStored({ threads: 8 })).toEqual({
      importMode: 'copy',
      intensityWindow: 'percentile',
      provider: 'auto',
      threads: 8,
    });
  });

  it('replaces a stored value that no longer fits the schema by its default and drops unknown keys', () => {
    const settings = settingsFromStored({ threads: -1, provider: 'tpu', retired: true, importMode: 'reference' });
    expect(settings).toEqual({ importMode: 'reference', intensityWindow: 'percentile', provider: 'auto', threads: 0 });
  });
});
