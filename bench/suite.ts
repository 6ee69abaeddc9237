/**
 * Every benchmark `npm run bench` runs, in this order. To add figures (e.g.
 * DICOM import rate, viewer frames per second), write `bench/<name>.bench.ts`
 * exporting a `Benchmark` (bench/figure.ts: name, issue, run() -> Figure[]
 * with the goal and the same-run comparison of each figure) and add one line
 * here. A benchmark must fit the suite's budget (the whole run under 10
 * minutes on a 2-core machine) and say in its module comment what it
 * measures, on what, and what is extrapolated. Shared inputs: bench/peak.ts
 * (session settings, the run's MatMul peak), bench/fixtures.ts (the vits16
 * stand-in backbone, phantom slices and their features).
 */
import { arModelBenchmark } from './ar-model.bench';
import { backboneBenchmark } from './backbone.bench';
import { endToEndBenchmark } from './end-to-end.bench';
import type { Benchmark } from './figure';
import { importBenchmark } from './import.bench';
import { trainingBenchmark } from './training.bench';
import { viewerBenchmark } from './viewer.bench';

export const benchmarks: Benchmark[] = [
  arModelBenchmark,
  backboneBenchmark,
  endToEndBenchmark,
  trainingBenchmark,
  importBenchmark,
  viewerBenchmark,
];
