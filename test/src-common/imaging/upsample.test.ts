import { describe, expect, it } from 'vitest';
import { float16ToFloat32, upsampleMap } from '../../../src-common/imaging/upsample';
import { encodeFloat16, decodeFloat16 } from '../../../src-main/ml/float16';
import { upsampleBilinear } from '../../../src-main/ml/resize';

describe('upsampleMap', () => {
  it('equals the engine upsampling (torch align_corners=False) for a 28x28 map to frame sizes', () => {
    const map = Float32Array.from({ length: 28 * 28 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 28) * 0.01);
    for (const [h, w] of [[256, 256], [512, 384], [28, 28], [17, 60]] as const) {
      const ours = upsampleMap(map, 28, 28, h, w);
      const engine = upsampleBilinear(map, 28, 28, h, w);
      expect(ours.length).toBe(engine.length);
      expect(ours.findIndex((v, i) => v !== engine[i])).toBe(-1);
    }
  });

  it('keeps a constant map constant and refuses a wrong size', () => {
    const out = upsampleMap(new Float32Array(4).fill(2.5), 2, 2, 9, 7);
    expect(out.every((v) => v === 2.5)).toBe(true);
    expect(() => upsampleMap(new Float32Array(3), 2, 2, 4, 4)).toThrow(/3 values for a 2x2 map/);
  });

  it('decodes float16 bit patterns as the engine does', () => {
    const values = [0, -0.5, 1e-6, 65504, 3.14159, -2.75e-3];
    expect(float16ToFloat32(encodeFloat16(values))).toEqual(decodeFloat16(encodeFloat16(values)));
  });
});
