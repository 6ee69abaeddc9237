import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src-main/ml/onnx/graph-builder';
import {
  blockedConvAgrees,
  NCHWC_DOMAIN,
  nchwcBlockForSessions,
  nchwcBlockSize,
  toBlocked,
} from '../../../../src-main/ml/onnx/nchwc';
import { decodeModel, int64ToNumber } from '../../../../src-main/ml/onnx/proto';

const block = await nchwcBlockSize();

describe('NCHWc block size', () => {
  // ONNX Runtime's x86-64 builds always carry the NCHWc kernels; MLAS blocks by 8 (AVX2) or 16 (AVX-512)
  it.runIf(process.arch === 'x64')('is found on this x86-64 processor', () => {
    expect([8, 16]).toContain(block);
  });

  it('is offered to graphs whose sessions run on the CPU only', async () => {
    expect(await nchwcBlockForSessions({ providers: ['cpu'] })).toBe(block);
  });

  it("imports the NCHWc operators' domain into a graph that uses them", () => {
    const b = new GraphBuilder('reorder');
    const x = b.input('x', 'float32', [1, 16, 2, 2]);
    b.output(toBlocked(b, x), 'float32', [1, 16, 2, 2]);
    const imports = decodeModel(b.build()).opsetImport.map((o) => [
      o.domain,
      int64ToNumber(o.version),
    ]);
    expect(imports).toContainEqual([NCHWC_DOMAIN, 1]);
  });
});

describe.runIf(block !== undefined)('NCHWc Conv with weights fed at run time', () => {
  it('computes what Conv + Relu compute, read back in NCHW and in NHWC', async () => {
    expect(await blockedConvAgrees(block!)).toBe(true);
  });

  // what the self-check that guards training would see if MLAS blocked differently from our filter order
  it('disagrees when the filter is blocked for another block size', async () => {
    expect(await blockedConvAgrees(2 * block!)).toBe(false);
  });
});
