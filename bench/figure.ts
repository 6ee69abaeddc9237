/**
 * One benchmark figure: what was measured, its goal, and the comparison it is
 * measured against in the same run (never a number remembered from elsewhere).
 */
export interface Goal {
  /** `atLeast`: bigger is better; `atMost`: smaller is better */
  kind: 'atLeast' | 'atMost';
  value: number;
  /** what the goal refers to when it is not the figure itself, e.g. "x of matmul peak" */
  note?: string;
}

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  goal?: Goal;
  /** the same-run measurement the figure is judged against */
  comparison?: { label: string; value: number; unit: string };
  /** the quantity the goal is checked on, when it is a ratio rather than `value` */
  judged?: { label: string; value: number };
}

export interface BenchOptions {
  /** Measure in full what the default suite extrapolates to stay under 10 minutes (`--full`). */
  full: boolean;
}

export interface Benchmark {
  name: string;
  /** from which issue the figures come, for BENCHMARKS.md */
  issue: number;
  run(options: BenchOptions): Promise<Figure[]>;
}

export function goalMet(figure: Figure): boolean | null {
  if (!figure.goal) return null;
  const v = figure.judged?.value ?? figure.value;
  return figure.goal.kind === 'atLeast' ? v >= figure.goal.value : v <= figure.goal.value;
}

/** Median of repeated timings in ms; the first `warmup` calls are discarded. */
export async function timeMs(
  fn: () => unknown | Promise<unknown>,
  repeats: number,
  warmup = 1,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Wall time (median and best) and median process CPU time (all threads) of one run, ms. */
export interface Timing {
  wallMs: number;
  /** The fastest run: the least disturbed by other processes on a shared machine. */
  bestWallMs: number;
  cpuMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Timings of several runs measured in turns (run 1, run 2, ..., run 1, ...),
 * so that on a shared machine every run sees the same load and their ratio
 * stays meaningful; the first `warmup` rounds are discarded. CPU time is
 * less disturbed by other processes than wall time (it counts ONNX
 * Runtime's spinning threads too, alike for every run).
 */
export async function timeInterleaved(
  runs: readonly (() => unknown | Promise<unknown>)[],
  repeats: number,
  warmup = 1,
): Promise<Timing[]> {
  const wall = runs.map(() => [] as number[]);
  const cpu = runs.map(() => [] as number[]);
  for (let round = 0; round < warmup + repeats; round++) {
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await run();
      const used = process.cpuUsage(c0);
      if (round < warmup) continue;
      wall[k]!.push(performance.now() - t0);
      cpu[k]!.push((used.user + used.system) / 1000);
    }
  }
  return runs.map((_, k) => ({
    wallMs: median(wall[k]!),
    bestWallMs: Math.min(...wall[k]!),
    cpuMs: median(cpu[k]!),
  }));
}
