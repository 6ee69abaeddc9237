import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src-main/ml/onnx/graph-builder';
import {
  blockedConv,
  blockedFilter,
  fromBlocked,
  NCHWC_DOMAIN,
  nchwcBlockForSessions,
  nchwcBlockSize,
  toBlocked,
} from '../../../../src-main/ml/onnx/nchwc';
import { decodeModel, int64ToNumber } from '../../../../src-main/ml/onnx/proto';
import { closeSession, createSession, runFloat32 } from '../../../../src-main/ml/onnx/session';
import { createRng } from '../../../../src-main/ml/random';

const block = await nchwcBlockSize();

describe('NCHWc block size', () => {
  // ONNX Runtime's x86-64 builds always carry the NCHWc kernels; MLAS blocks by 8 (AVX2) or 16 (AVX-512)
  it.runIf(process.arch === 'x64')('is found on this x86-64 processor', () => {
    expect([8, 16]).toContain(block);
  });

  it('is offered to graphs whose sessions run on the CPU only', async () => {
    expect(await nchwcBlockForSessions({ providers: ['cpu'] })).toBe(block);
  });
});

describe.runIf(block !== undefined)('NCHWc conv with weights fed at run time', () => {
  const [batch, inChannels, outChannels, height, width] = [2, 16, 32, 6, 7];
  const conv = {
    kernel_shape: { ints: [3, 3] },
    dilations: { ints: [2, 2] },
    pads: { ints: [2, 2, 2, 2] },
  };

  /** Plain Conv + Relu, and the same through the blocked kernels, back in NCHW and in NHWC. */
  function graphs(): Uint8Array {
    const b = new GraphBuilder('nchwc_check');
    const x = b.input('x', 'float32', [batch, inChannels, height, width]);
    const w = b.input('w', 'float32', [outChannels, inChannels, 3, 3]);
    const bias = b.input('bias', 'float32', [outChannels]);
    b.node('Relu', [b.node('Conv', [x, w, bias], conv)], {}, 'plain');
    const shape = { outChannels, inChannels, kernel: 3 };
    const y = blockedConv(
      b,
      [toBlocked(b, x), blockedFilter(b, w, shape, block!), bias],
      conv,
      true,
    );
    b.node('Identity', [fromBlocked(b, y, outChannels, false)], {}, 'blocked');
    b.node('Identity', [fromBlocked(b, y, outChannels, true)], {}, 'blocked_nhwc');
    b.output('plain', 'float32', [batch, outChannels, height, width]);
    b.output('blocked', 'float32', [batch, outChannels, height, width]);
    b.output('blocked_nhwc', 'float32', [batch, height, width, outChannels]);
    return b.build();
  }

  it('computes what Conv computes, in either layout out, and imports the NCHWc domain', async () => {
    const bytes = graphs();
    expect(
      decodeModel(bytes).opsetImport.map((o) => [o.domain, int64ToNumber(o.version)]),
    ).toContainEqual([NCHWC_DOMAIN, 1]);
    const rng = createRng(8);
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const session = await createSession(bytes, { providers: ['cpu'] });
    const out = await runFloat32(session, {
      x: {
        data: random(batch * inChannels * height * width),
        dims: [batch, inChannels, height, width],
      },
      w: { data: random(outChannels * inChannels * 9), dims: [outChannels, inChannels, 3, 3] },
      bias: { data: random(outChannels), dims: [outChannels] },
    });
    await closeSession(session);
    const plain = out.plain!.data;
    const blocked = out.blocked!.data;
    const nhwc = out.blocked_nhwc!.data;
    expect(plain.some((v) => v > 0) && plain.some((v) => v === 0)).toBe(true); // the ReLU did something
    const plane = height * width;
    for (let j = 0; j < plain.length; j++) {
      expect(Math.abs(blocked[j]! - plain[j]!)).toBeLessThanOrEqual(
        1e-5 * (1 + Math.abs(plain[j]!)),
      );
      const n = Math.floor(j / (outChannels * plane));
      const c = Math.floor(j / plane) % outChannels;
      const p = j % plane;
      expect(nhwc[(n * plane + p) * outChannels + c]).toBe(blocked[j]);
    }
  });
});
