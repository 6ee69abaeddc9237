/**
 * Which input patches can influence the prediction at a patch p: the masks
 * propagated through the layers (each layer reads its input at p + dilation *
 * (tap - centre) for every unmasked tap, zero padding outside the grid).
 * Structural, independent of the weights' values: a position outside the set
 * can never change the prediction at p; one inside can for generic weights.
 *
 * This is how a configuration is shown to be, or not to be, a blind spot: the
 * paper's bidirectional [4,4,4,4] reaches p again through p -> p+4 -> p, while
 * [1,2,4,8] never returns to p.
 */
import { layerDilation } from './config';
import type { ArConfig } from './config';
import { layerMask } from './masks';

/** A spatial offset in patches: rows down, columns right. */
export interface Offset {
  dy: number;
  dx: number;
}

/**
 * Offsets from an output position to the input positions each layer reads, in
 * the coordinates of the unflipped grid (a flipped model reads mirrored offsets).
 */
export function layerTapOffsets(config: ArConfig, layer: number): Offset[] {
  const k = config.kernel;
  const c = (k - 1) / 2;
  const d = layerDilation(config, layer);
  const sign = config.flipped ? -1 : 1;
  const mask = layerMask(config, layer);
  const offsets: Offset[] = [];
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      if (mask[ky * k + kx] !== 0)
        offsets.push({ dy: sign * (ky - c) * d, dx: sign * (kx - c) * d });
    }
  }
  return offsets;
}

/**
 * The input positions the prediction at (py, px) depends on, on a grid of
 * [height, width] with zero padding.
 * @returns [height * width] row-major, 1 = depends
 */
export function dependencySet(
  config: ArConfig,
  height: number,
  width: number,
  py: number,
  px: number,
): Uint8Array {
  if (py < 0 || py >= height || px < 0 || px >= width) {
    throw new RangeError(
      `dependency set: position (${py}, ${px}) is outside the ${height}x${width} grid`,
    );
  }
  let current = new Uint8Array(height * width);
  current[py * width + px] = 1;
  for (let layer = config.layers - 1; layer >= 0; layer--) {
    const offsets = layerTapOffsets(config, layer);
    const next = new Uint8Array(height * width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (current[y * width + x] === 0) continue;
        for (const { dy, dx } of offsets) {
          const sy = y + dy;
          const sx = x + dx;
          if (sy >= 0 && sy < height && sx >= 0 && sx < width) next[sy * width + sx] = 1;
        }
      }
    }
    current = next;
  }
  return current;
}

export interface SelfDependency {
  /** Number of tap sequences (one tap per layer) whose offsets sum to zero, on an unbounded grid. */
  count: number;
  /** One such sequence with the fewest non-zero hops (offset per layer, first layer first), or null. */
  example: Offset[] | null;
}

/**
 * How the prediction at p can see the input at p itself, on an unbounded grid.
 * count 0 means a strict blind spot.
 */
export function selfDependencyPaths(config: ArConfig): SelfDependency {
  interface State {
    count: number;
    hops: number;
    path: Offset[];
  }
  // forward from the input: the state after layer l is the total offset so far
  let states = new Map<string, State & Offset>([
    ['0,0', { dy: 0, dx: 0, count: 1, hops: 0, path: [] }],
  ]);
  for (let layer = 0; layer < config.layers; layer++) {
    const next = new Map<string, State & Offset>();
    for (const state of states.values()) {
      for (const tap of layerTapOffsets(config, layer)) {
        const dy = state.dy + tap.dy;
        const dx = state.dx + tap.dx;
        const key = `${dy},${dx}`;
        const hops = state.hops + (tap.dy !== 0 || tap.dx !== 0 ? 1 : 0);
        const existing = next.get(key);
        if (!existing) {
          next.set(key, { dy, dx, count: state.count, hops, path: [...state.path, tap] });
        } else {
          existing.count += state.count;
          if (hops < existing.hops) {
            existing.hops = hops;
            existing.path = [...state.path, tap];
          }
        }
      }
    }
    states = next;
  }
  const home = states.get('0,0');
  return home ? { count: home.count, example: home.path } : { count: 0, example: null };
}

/** True iff the prediction at p can never depend on the input at p (on any grid). */
export function isStrictBlindSpot(config: ArConfig): boolean {
  return selfDependencyPaths(config).count === 0;
}

/** How far the receptive field reaches from p in each direction, in patches. */
export function receptiveFieldExtent(config: ArConfig): {
  up: number;
  down: number;
  left: number;
  right: number;
} {
  const extent = { up: 0, down: 0, left: 0, right: 0 };
  for (let layer = 0; layer < config.layers; layer++) {
    const offsets = layerTapOffsets(config, layer);
    extent.up += Math.max(0, ...offsets.map((o) => -o.dy));
    extent.down += Math.max(0, ...offsets.map((o) => o.dy));
    extent.left += Math.max(0, ...offsets.map((o) => -o.dx));
    extent.right += Math.max(0, ...offsets.map((o) => o.dx));
  }
  return extent;
}

/**
 * Positions whose receptive field is not cut by the grid border (no layer
 * reads padding for them). Strict: with the paper's [4,4,4,4] (reach 20
 * patches each way) no position of a 28x28 grid qualifies; contextMask gives
 * a graded choice.
 * @returns [height * width], 1 = full context
 */
export function fullContextMask(config: ArConfig, height: number, width: number): Uint8Array {
  const { up, down, left, right } = receptiveFieldExtent(config);
  const mask = new Uint8Array(height * width);
  for (let y = up; y < height - down; y++) {
    for (let x = left; x < width - right; x++) mask[y * width + x] = 1;
  }
  return mask;
}

/**
 * For each position, the fraction of its unbounded-grid dependency set that
 * lies inside the grid: 1 in the interior, small where the border cuts the
 * context off (in causal mode the first rows see almost nothing).
 * @returns [height * width] in (0, 1]
 */
export function contextFraction(config: ArConfig, height: number, width: number): Float32Array {
  const { up, down, left, right } = receptiveFieldExtent(config);
  const fullHeight = up + down + 1;
  const fullWidth = left + right + 1;
  const full = count(dependencySet(config, fullHeight, fullWidth, up, left));
  const fraction = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      fraction[y * width + x] = count(dependencySet(config, height, width, y, x)) / full;
  }
  return fraction;
}

/** Positions whose context fraction is at least `minFraction`; [height * width], 1 = kept. */
export function contextMask(
  config: ArConfig,
  height: number,
  width: number,
  minFraction: number,
): Uint8Array {
  return Uint8Array.from(contextFraction(config, height, width), (f) => (f >= minFraction ? 1 : 0));
}

function count(mask: Uint8Array): number {
  let total = 0;
  for (const v of mask) total += v;
  return total;
}
