import { describe, expect, it } from 'vitest';
import { decodeFrameMessage, encodeFrameMessage } from '../../../src-common/imaging/frame-format';

describe('frame message', () => {
  it('round-trips a signed 16-bit frame with its header', () => {
    const values = Int16Array.from([-1024, 0, 3071, 12, -5, 7]);
    const header = {
      rows: 2, columns: 3, dtype: 'int16' as const, samples: 1, slope: 1, intercept: -1024,
      window: { center: 40, width: 80 }, photometric: 'MONOCHROME2', spacing: [0.5, 0.5] as [number, number],
    };
    const bytes = encodeFrameMessage(header, values);
    const copy = bytes.slice().buffer;
    const decoded = decodeFrameMessage(copy);
    expect(decoded.header).toEqual(header);
    expect(Array.from(decoded.values)).toEqual(Array.from(values));
  });

  it('refuses a message shorter than its header says', () => {
    const bytes = encodeFrameMessage(
      { rows: 4, columns: 4, dtype: 'uint8', samples: 1, slope: 1, intercept: 0, window: null, photometric: 'MONOCHROME2', spacing: null },
      new Uint8Array(16),
    );
    expect(() => decodeFrameMessage(bytes.slice(0, bytes.length - 1).buffer)).toThrow(/fewer than the 16 values/);
  });
});
