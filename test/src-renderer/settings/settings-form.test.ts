import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../src-main/api/contract';
import { draftFrom, fieldErrorsFrom, isDirty, patchFrom } from '../../../src-renderer/settings/settings-form';

const saved: Settings = { importMode: 'copy', intensityWindow: 'percentile', provider: 'auto', threads: 0 };

describe('settings form', () => {
  it('sends only what changed', () => {
    const draft = { ...draftFrom(saved), importMode: 'reference' as const, threads: ' 4 ' };
    expect(patchFrom(saved, draft)).toEqual({ patch: { importMode: 'reference', threads: 4 }, errors: {} });
    expect(isDirty(saved, draftFrom(saved))).toBe(false);
  });

  it('stops a thread count that is not a number before it is sent', () => {
    const { patch, errors } = patchFrom(saved, { ...draftFrom(saved), threads: '' });
    expect(patch).toEqual({});
    expect(errors.threads).toMatch(/whole number/);
  });

  it('leaves range checks to the host and puts its errors on the fields they name', () => {
    expect(patchFrom(saved, { ...draftFrom(saved), threads: '999' }).patch).toEqual({ threads: 999 });
    const details = {
      issues: [
        { path: ['threads'], message: 'Too big: expected number to be <=256' },
        { path: ['threads'], message: 'Expected an integer' },
        { path: [], message: 'Unrecognized key: "colour"' },
      ],
    };
    expect(fieldErrorsFrom(details)).toEqual({ threads: 'Too big: expected number to be <=256; Expected an integer' });
    expect(fieldErrorsFrom(undefined)).toEqual({});
  });
});
