/**
 * Which patches of an anomaly map count for its image score: foreground
 * patches with enough context. Positions whose receptive field the grid border
 * cuts off (in causal mode the first rows and columns see almost nothing)
 * predict badly and would otherwise hold the image maximum (issue 3: 88% of
 * test images in a reference run).
 */
import type { ArConfig } from '../ml/ar/config';
import { contextFraction } from '../ml/ar/receptive-field';
import { intersectMasks } from '../ml/scoring';

/**
 * A position counts when its context (the part of its receptive field inside
 * the grid) is at least this fraction of the best-placed position's on the
 * same grid. Relative, because the paper's [4,4,4,4] reaches 20 patches each
 * way, so on a 28x28 grid no position has more than about 40% of its unbounded
 * field: with 0.5 every position of the bidirectional default counts (its
 * border keeps about 75% of the centre's), while a causal model's first rows
 * (under 20%) do not.
 */
export const MIN_RELATIVE_CONTEXT = 0.5;

/**
 * [height * width], 1 = enough context in every model of the set (a causal
 * model and its flipped partner average their maps, so a position lacking
 * context in either still carries that model's artefact).
 */
export function contextValidMask(
  configs: readonly ArConfig[],
  height: number,
  width: number,
): Uint8Array {
  let mask: Uint8Array = new Uint8Array(height * width).fill(1);
  for (const config of configs) {
    const fraction = contextFraction(config, height, width);
    const best = fraction.reduce((a, b) => (b > a ? b : a), 0);
    const kept = Uint8Array.from(fraction, (f) =>
      best > 0 && f >= MIN_RELATIVE_CONTEXT * best ? 1 : 0,
    );
    mask = intersectMasks(mask, kept);
  }
  return mask;
}

/**
 * The positions an image score reads: foreground ∩ context. A frame with no
 * foreground patch in context (a blank slice, or a frame the foreground finder
 * misreads) falls back to the context mask alone rather than going unscored,
 * so nothing in it can hide; a grid with no position in context falls back to
 * every position.
 */
export function imageValidMask(foreground: Uint8Array, context: Uint8Array): Uint8Array {
  const both = intersectMasks(foreground, context);
  if (both.some((v) => v !== 0)) return both;
  if (context.some((v) => v !== 0)) return context;
  return new Uint8Array(context.length).fill(1);
}
