/**
 * Issue 3: end-to-end scoring (backbone + AR model) in images per second, and
 * the same test images scored by the memory-bank baseline (AnomalyDINO-style
 * exact nearest neighbour, ml/memory-bank.ts) on the same features, for banks
 * of 100 and 1000 training images. Goal at 1000 training images: AR scoring
 * at least 10x faster and at least 50x smaller than the bank.
 *
 * What is compared: the scoring step after the backbone, which both methods
 * share (AR: one anomaly-map pass; bank: the nearest-neighbour search), and
 * the model each must keep (AR: float32 weights; bank: float32 patch rows).
 * The bank is filled with the features of 8 real phantom slices, repeated to
 * 100 and 1000 images: an exact search costs the same whatever the values.
 * The bank's search runs in TypeScript on one core (the AR model in ONNX
 * Runtime on all cores), so the bank is also given its best case: the time
 * its arithmetic would take at the run's MatMul peak.
 * One test image goes through each bank; against 1000 training images only
 * a quarter of its patches, EXTRAPOLATED to the whole image (x4: the search
 * is exactly linear in the number of query patches).
 */
import { AR_ANOMALY_MAP, AR_INPUT, buildArAnomalyMapGraph } from '../src-main/ml/ar/graph';
import { arParameterCount, initArWeights } from '../src-main/ml/ar/weights';
import { buildMemoryBank, scoreWithMemoryBank } from '../src-main/ml/memory-bank';
import { closeSession, createSession, runFloat32 } from '../src-main/ml/onnx/session';
import { PAPER_CONFIG } from './ar-model.bench';
import type { Benchmark, Figure } from './figure';
import { timeMs } from './figure';
import { benchFixtures } from './fixtures';
import { BENCH_SESSION, matmulPeak } from './peak';

/**
 * Rows of the test grid whose patches go through the bank: all 28 (one whole
 * image) for 100 training images; 7 (196 of 784 patches, times 4) for 1000,
 * where one whole image takes minutes on a loaded machine. The search's cost
 * is exactly linear in the number of query patches.
 */
const BANK_QUERY_ROWS: Record<number, number> = { 100: 28, 1000: 7 };

export const endToEndBenchmark: Benchmark = {
  name: 'end-to-end',
  issue: 3,
  async run(): Promise<Figure[]> {
    const { backbone, phantom, trainGrids } = await benchFixtures();
    const peak = await matmulPeak();
    const testImages = [...phantom.testGood, ...phantom.testBad.map((c) => c.image)];
    const shape = { channels: backbone.channels, height: backbone.grid, width: backbone.grid };
    const testGrids: Float32Array[] = [];
    for (const image of testImages) testGrids.push(...(await backbone.extract([image])).grids);

    const scorer = await createSession(
      buildArAnomalyMapGraph([{ config: PAPER_CONFIG, weights: initArWeights(PAPER_CONFIG, 0) }]),
      BENCH_SESSION,
    );
    const dims = [1, shape.channels, shape.height, shape.width];
    let next = 0;
    const arOnce = (): Promise<unknown> =>
      runFloat32(scorer, { [AR_INPUT]: { data: testGrids[next++ % testGrids.length]!, dims } });
    // end to end: PNG pixels -> preprocessing -> backbone -> AR map, one image at a time
    const endToEndMs = await timeMs(
      async () => {
        const image = testImages[next++ % testImages.length]!;
        const { grids } = await backbone.extract([image]);
        const out = await runFloat32(scorer, { [AR_INPUT]: { data: grids[0]!, dims } });
        return out[AR_ANOMALY_MAP];
      },
      4,
      1,
    );
    const arMs = await timeMs(arOnce, 9, 2);
    await closeSession(scorer);
    const arBytes = arParameterCount(PAPER_CONFIG) * 4;
    const backboneMs = endToEndMs - arMs;

    const figures: Figure[] = [
      {
        id: 'e2e.images_per_s',
        label: 'end to end (preprocess + vits16 stand-in + AR), images/s',
        value: 1000 / endToEndMs,
        unit: 'images/s',
      },
      {
        id: 'e2e.ar_ms_per_image',
        label: 'AR scoring step (after the backbone), ms/image',
        value: arMs,
        unit: 'ms',
      },
    ];
    for (const trainImages of [100, 1000]) {
      const bank = buildMemoryBank(
        Array.from({ length: trainImages }, (_, i) => trainGrids[i % trainGrids.length]!),
        shape,
      );
      const rows = BANK_QUERY_ROWS[trainImages]!;
      const query = testGrids[0]!;
      const plane = shape.height * shape.width;
      const part = new Float32Array(shape.channels * rows * shape.width);
      for (let c = 0; c < shape.channels; c++)
        part.set(query.subarray(c * plane, c * plane + rows * shape.width), c * rows * shape.width);
      const partShape = { ...shape, height: rows };
      const bankMs =
        (await timeMs(() => scoreWithMemoryBank(bank, part, partShape), 1, 0)) *
        (shape.height / rows);
      const bankFlops = 2 * shape.height * shape.width * bank.count * bank.channels;
      const bankAtPeakMs = bankFlops / (peak.gflops * 1e6);
      const atGoal = trainImages === 1000;
      figures.push(
        {
          id: `bank.ms_per_image.n${trainImages}`,
          label:
            rows === shape.height
              ? `memory bank of ${trainImages} images, ms/image (1 image timed)`
              : `memory bank of ${trainImages} images, ms/image (EXTRAPOLATED from ${rows} of ${shape.height} rows)`,
          value: bankMs,
          unit: 'ms',
          comparison: {
            label: 'same arithmetic at the MatMul peak',
            value: bankAtPeakMs,
            unit: 'ms',
          },
        },
        {
          id: `e2e.speedup_vs_bank.n${trainImages}`,
          label: `AR vs memory bank of ${trainImages} images: scoring speed-up`,
          value: bankMs / arMs,
          unit: 'x',
          ...(atGoal ? { goal: { kind: 'atLeast' as const, value: 10 } } : {}),
          comparison: { label: 'bank at MatMul peak / AR', value: bankAtPeakMs / arMs, unit: 'x' },
        },
        {
          id: `e2e.size_vs_bank.n${trainImages}`,
          label: `AR vs memory bank of ${trainImages} images: model size ratio`,
          value: bank.bytes / arBytes,
          unit: 'x',
          ...(atGoal ? { goal: { kind: 'atLeast' as const, value: 50 } } : {}),
          comparison: {
            label: `bank ${(bank.bytes / 2 ** 20).toFixed(0)} MiB, AR weights`,
            value: arBytes / 2 ** 20,
            unit: 'MiB',
          },
        },
        {
          id: `e2e.bank_images_per_s.n${trainImages}`,
          label: `end to end with the memory bank of ${trainImages} images, images/s`,
          value: 1000 / (backboneMs + bankMs),
          unit: 'images/s',
          comparison: {
            label: 'end to end with the AR model',
            value: 1000 / endToEndMs,
            unit: 'images/s',
          },
        },
      );
    }
    return figures;
  },
};
