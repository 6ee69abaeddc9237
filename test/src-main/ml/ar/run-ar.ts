// Test helper: runs AR graphs through onnxruntime-node on float32 grids.
import { createRng } from '../../../../src-main/ml/random';
import { closeSession, createSession, runFloat32 } from '../../../../src-main/ml/onnx/session';

/** Runs a model with one float32 input and returns its only output. */
export async function runGraph(
  model: Uint8Array,
  inputName: string,
  data: Float32Array,
  dims: number[],
): Promise<Float32Array> {
  const session = await createSession(model, { providers: ['cpu'], intraOpThreads: 1 });
  try {
    const outputs = await runFloat32(session, { [inputName]: { data, dims } });
    return Object.values(outputs)[0]!.data;
  } finally {
    await closeSession(session);
  }
}

/** n standard normal float32 values from `seed`. */
export function randomGrid(seed: number, n: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
