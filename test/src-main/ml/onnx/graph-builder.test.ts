import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src-main/ml/onnx/graph-builder';
import { decodeModel, int64ToNumber } from '../../../../src-main/ml/onnx/proto';
import { closeSession, createSession, runFloat32 } from '../../../../src-main/ml/onnx/session';

describe('GraphBuilder', () => {
  it('builds a model ONNX Runtime runs, with a dynamic batch, attributes and metadata', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', ['batch', 2]);
    const w = g.floatTensor('w', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const y = g.node('MatMul', [x, w]);
    const shifted = g.node('Add', [y, g.scalar(0.5)]);
    g.node('ReduceMax', [shifted], { axes: { ints: [1] }, keepdims: { int: 0 } }, 'max');
    g.output('max', 'float32', ['batch']);
    const bytes = g.build({ metadata: { 'normscope.test': 'yes' } });

    const model = decodeModel(bytes);
    expect(model.metadataProps).toEqual([
      expect.objectContaining({ key: 'normscope.test', value: 'yes' }),
    ]);
    expect(int64ToNumber(model.opsetImport[0]!.version)).toBe(17);

    const session = await createSession(bytes, { providers: ['cpu'], intraOpThreads: 1 });
    const out = await runFloat32(session, {
      x: { data: new Float32Array([1, 0, 0, 1, 2, 2]), dims: [3, 2] },
    });
    await closeSession(session);
    // row maxima of x @ w + 0.5: [1,2,3] -> 3.5; [4,5,6] -> 6.5; [10,14,18] -> 18.5
    expect(Array.from(out.max!.data)).toEqual([3.5, 6.5, 18.5]);
    expect(out.max!.dims).toEqual([3]);
  });

  it('refuses reading a value nothing produced and reusing a name', () => {
    const g = new GraphBuilder('broken');
    const x = g.input('x', 'float32', [1]);
    expect(() => g.node('Add', [x, 'missing'])).toThrow(/missing, which nothing has produced/);
    expect(() => g.floatTensor('x', new Float32Array(1), [1])).toThrow(/used twice/);
    expect(() => g.floatTensor('w', new Float32Array(3), [2, 2])).toThrow(
      /3 values for shape \[2, 2\]/,
    );
  });
});
