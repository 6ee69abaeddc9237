/**
 * The metrics of `evaluate`, accumulated image by image so that memory does
 * not grow with the test set: pixel AUROC and AUPR through streaming float16
 * score counts (ml/metrics.ts StreamingScoreCounts: exact for the maps rounded
 * to float16, 1 MiB per accumulator), image AUROC from one score per image.
 * Every metric is computed twice: over the whole image and over the
 * foreground only (ml/foreground.ts), because background pixels are easy
 * negatives that inflate pixel AUROC.
 *
 * Pixel metrics compare the label at its own resolution with the patch map
 * upsampled bilinearly (align_corners=false), as BMAD and the paper do.
 *
 * Image score: the maximum of the patch map over the positions with enough
 * context (`scoringPositions`); for the foreground variant, also inside the
 * foreground's patch grid (a patch at least half covered).
 */
import { contextFraction } from '../ml/ar/receptive-field';
import type { ArConfig } from '../ml/ar/config';
import { foregroundMask, maskToPatchGrid } from '../ml/foreground';
import {
  aurocFromRanked,
  auroc,
  averagePrecisionFromRanked,
  StreamingScoreCounts,
} from '../ml/metrics';
import type { GreyImage8 } from '../ml/phantom/bmad';
import { upsampleMap } from '../../src-common/imaging/upsample';
import { imageScore, intersectMasks } from '../ml/scoring';

/**
 * A position counts for image scores when its context fraction (the share of
 * its unbounded receptive field that lies inside the grid) is at least this
 * share of the best-placed position's. Relative, not absolute: with the
 * paper's [4,4,4,4] no position of a 28x28 grid has even half of its
 * receptive field inside the grid, yet bidirectional models predict every
 * position from context on all sides (their fractions range 0.30..0.41, all
 * kept), while a causal model's first rows and columns see nothing (fraction
 * 0; about half of the grid falls below the cut for [4,4,4,4]).
 */
export const CONTEXT_SHARE_OF_BEST = 0.5;

/**
 * Positions of a [height, width] grid whose image score counts: [height * width], 1 = counts.
 * With several models (a causal model and its flipped partner, maps averaged)
 * a position counts when any of them has enough context there.
 */
export function scoringPositions(
  configs: readonly ArConfig[],
  height: number,
  width: number,
): Uint8Array {
  const mask = new Uint8Array(height * width);
  for (const config of configs) {
    const fraction = contextFraction(config, height, width);
    let best = 0;
    for (const f of fraction) if (f > best) best = f;
    for (let i = 0; i < fraction.length; i++)
      if (fraction[i]! >= CONTEXT_SHARE_OF_BEST * best) mask[i] = 1;
  }
  return mask;
}

export interface MetricSet {
  pixelAuroc: number;
  /** Average precision of the pixels (sklearn's definition). */
  pixelAupr: number;
  imageAuroc: number;
}

export interface AccumulatedMetrics {
  whole: MetricSet;
  foreground: MetricSet;
  images: { normal: number; anomalous: number };
  /** Images whose foreground covers no scoring position: their foreground image score falls back to the whole-image one. */
  imagesWithoutForeground: number;
}

export class EvaluationAccumulator {
  private readonly pixelsWhole = new StreamingScoreCounts();
  private readonly pixelsForeground = new StreamingScoreCounts();
  private readonly imageScoresWhole: number[] = [];
  private readonly imageScoresForeground: number[] = [];
  private readonly imageLabels: number[] = [];
  private withoutForeground = 0;

  /** `positions`: the grid's scoring positions (scoringPositions), [grid * grid]. */
  constructor(
    private readonly grid: number,
    private readonly positions: Uint8Array,
  ) {}

  /**
   * Adds one test image: `map` [grid, grid] float32, the image it was made
   * from, and its label [height, width] (1 = anomalous; absent for a normal
   * image: all zero).
   */
  add(map: Float32Array, image: GreyImage8, label: Uint8Array | undefined): void {
    const { width, height } = image;
    const upsampled = upsampleMap(map, this.grid, this.grid, height, width);
    const labels = label ?? new Uint8Array(width * height);
    const foreground = foregroundMask(image.pixels, width, height);
    this.pixelsWhole.add(upsampled, labels);
    this.pixelsForeground.add(upsampled, labels, foreground);

    const whole = imageScore(map, { reduction: 'max', validMask: this.positions });
    const foregroundPositions = intersectMasks(
      this.positions,
      maskToPatchGrid(foreground, width, height, this.grid, this.grid),
    );
    let foregroundScore = whole;
    if (foregroundPositions.includes(1))
      foregroundScore = imageScore(map, { reduction: 'max', validMask: foregroundPositions });
    else this.withoutForeground++;
    this.imageScoresWhole.push(whole);
    this.imageScoresForeground.push(foregroundScore);
    this.imageLabels.push(label === undefined ? 0 : 1);
  }

  /** The metrics so far; throws InvalidRequest while a class is missing. */
  result(): AccumulatedMetrics {
    const anomalous = this.imageLabels.filter((l) => l === 1).length;
    return {
      whole: {
        pixelAuroc: aurocFromRanked(this.pixelsWhole),
        pixelAupr: averagePrecisionFromRanked(this.pixelsWhole),
        imageAuroc: auroc(this.imageScoresWhole, this.imageLabels),
      },
      foreground: {
        pixelAuroc: aurocFromRanked(this.pixelsForeground),
        pixelAupr: averagePrecisionFromRanked(this.pixelsForeground),
        imageAuroc: auroc(this.imageScoresForeground, this.imageLabels),
      },
      images: { normal: this.imageLabels.length - anomalous, anomalous },
      imagesWithoutForeground: this.withoutForeground,
    };
  }
}
