import { describe, expect, it } from 'vitest';
import {
  availableProviders,
  createSession,
  onnxRuntimeVersion,
} from '../../../../src-main/ml/onnx/session';
import { GraphBuilder } from '../../../../src-main/ml/onnx/graph-builder';

function identity(): Uint8Array {
  const g = new GraphBuilder('identity');
  const x = g.input('x', 'float32', [1]);
  g.node('Identity', [x], {}, 'y');
  g.output('y', 'float32', [1]);
  return g.build();
}

describe('ONNX Runtime sessions', () => {
  it('falls back to CPU when no accelerator is installed and reports what runs', async () => {
    expect(availableProviders()).toContain('cpu');
    const session = await createSession(identity(), { intraOpThreads: 1, interOpThreads: 1 });
    expect(availableProviders()).toContain(session.provider);
    expect(session).toMatchObject({
      intraOpThreads: 1,
      interOpThreads: 1,
      ortVersion: onnxRuntimeVersion(),
    });
    expect(onnxRuntimeVersion()).toMatch(/^\d+\.\d+\.\d+/);
    await session.session.release();
  });

  it('says which model failed to load', async () => {
    await expect(createSession(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      name: 'Unavailable',
      message: expect.stringMatching(/could not load a model of 3 bytes/),
    });
  });
});
