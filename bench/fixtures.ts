/**
 * Inputs shared by the benchmarks of one run, built once: the vits16
 * stand-in backbone (exactly ViT-S/16's dimensions and cost, random weights)
 * written to a scratch file, and phantom brain slices with their features.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackboneFeatures } from '../src-main/evaluate/backbone-features';
import type { BackboneFeatures } from '../src-main/evaluate/backbone-features';
import { buildStandInBackbone } from '../src-main/ml/backbone/standin';
import { generatePhantomBmadSet } from '../src-main/ml/phantom/bmad';
import type { BmadSet } from '../src-main/ml/phantom/bmad';
import { BENCH_SESSION } from './peak';

export interface BenchFixtures {
  backbone: BackboneFeatures;
  /** 8 normal training slices, 2 normal and 2 anomalous test slices, 256x256. */
  phantom: BmadSet;
  /** Features [384, 28, 28] of phantom.trainGood. */
  trainGrids: Float32Array[];
}

let fixtures: Promise<BenchFixtures> | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'normscope-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

async function build(): Promise<BenchFixtures> {
  const path = join(scratch, 'standin-vits16.onnx');
  writeFileSync(path, buildStandInBackbone({ preset: 'vits16', seed: 0 }));
  const backbone = await openBackboneFeatures(path, { session: BENCH_SESSION });
  const phantom = generatePhantomBmadSet({
    seed: 5,
    size: 256,
    trainGood: 8,
    testGood: 2,
    testBad: 2,
  });
  const trainGrids: Float32Array[] = [];
  for (const image of phantom.trainGood)
    trainGrids.push(...(await backbone.extract([image])).grids);
  return { backbone, phantom, trainGrids };
}

/** The run's fixtures (built on first use; the backbone session stays open until the process exits). */
export function benchFixtures(): Promise<BenchFixtures> {
  fixtures ??= build();
  return fixtures;
}
