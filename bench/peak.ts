/**
 * The machine's measured matrix-multiply peak in ONNX Runtime: one MatMul of
 * two large square float32 matrices, on the same session settings (threads)
 * as the figures judged against it, in the same run. The AR benchmark times
 * it interleaved with the AR model (same load for both) and records it here;
 * later benchmarks compare with that record, or measure it themselves when
 * run alone (--only).
 */
import { GraphBuilder } from '../src-main/ml/onnx/graph-builder';
import { closeSession, createSession, runFloat32 } from '../src-main/ml/onnx/session';
import type { SessionSettings } from '../src-main/ml/onnx/session';
import { createRng } from '../src-main/ml/random';
import { timeMs } from './figure';

/** Every benchmark uses these settings: ONNX Runtime's default of one intra-op thread per core. */
export const BENCH_SESSION: SessionSettings = { providers: ['cpu'], intraOpThreads: 0 };

/** Side of the square matrices: 1536^3 x 2 = 7.2 GFLOP, large enough for the kernel's best blocking, short enough to repeat. */
const SIDE = 1536;

export interface MatmulPeak {
  side: number;
  ms: number;
  gflops: number;
}

export interface MatmulRunner {
  side: number;
  /** One multiplication. */
  run(): Promise<unknown>;
  /** The peak that a median time of `ms` per multiplication means. */
  peakOf(ms: number): MatmulPeak;
  close(): Promise<void>;
}

/** A session multiplying SIDE x SIDE matrices, for timing. */
export async function openMatmul(): Promise<MatmulRunner> {
  const g = new GraphBuilder('matmul_peak');
  const a = g.input('a', 'float32', [SIDE, SIDE]);
  const rng = createRng(7);
  const b = g.floatTensor(
    'b',
    Float32Array.from({ length: SIDE * SIDE }, () => rng.normal()),
    [SIDE, SIDE],
  );
  g.node('MatMul', [a, b], {}, 'c');
  g.output('c', 'float32', [SIDE, SIDE]);
  const session = await createSession(g.build(), BENCH_SESSION);
  const input = Float32Array.from({ length: SIDE * SIDE }, () => rng.normal());
  return {
    side: SIDE,
    run: () => runFloat32(session, { a: { data: input, dims: [SIDE, SIDE] } }),
    peakOf: (ms) => ({ side: SIDE, ms, gflops: (2 * SIDE ** 3) / (ms * 1e6) }),
    close: () => closeSession(session),
  };
}

let recorded: Promise<MatmulPeak> | undefined;

/** Records the run's peak (measured by the caller, interleaved with what it judges). */
export function recordMatmulPeak(peak: MatmulPeak): void {
  recorded = Promise.resolve(peak);
}

/** The run's recorded MatMul peak, measured now (and recorded) when none is. */
export function matmulPeak(): Promise<MatmulPeak> {
  recorded ??= (async () => {
    const matmul = await openMatmul();
    try {
      return matmul.peakOf(await timeMs(matmul.run, 7, 2));
    } finally {
      await matmul.close();
    }
  })();
  return recorded;
}
