import { describe, expect, it } from 'vitest';
import { parseArConfig } from '../../../../src-main/ml/ar/config';
import type { ArConfig } from '../../../../src-main/ml/ar/config';
import { AR_INPUT, buildArGraph } from '../../../../src-main/ml/ar/graph';
import {
  contextFraction,
  dependencySet,
  fullContextMask,
  isStrictBlindSpot,
  selfDependencyPaths,
} from '../../../../src-main/ml/ar/receptive-field';
import { initArWeights } from '../../../../src-main/ml/ar/weights';
import { randomGrid, runGraph } from './run-ar';

const C = 3;
const S = 16; // grid side
const P = { y: 8, x: 7 };

/**
 * Change of the prediction at P (max over channels) when the input at each
 * given position is perturbed, all variants in one batch.
 */
async function predictionChangesAtP(
  config: ArConfig,
  positions: readonly number[],
): Promise<number[]> {
  const model = buildArGraph(config, initArWeights(config, 42));
  const base = randomGrid(1, C * S * S);
  const batch = new Float32Array((positions.length + 1) * base.length);
  batch.set(base, 0);
  positions.forEach((pos, i) => {
    const variant = batch.subarray((i + 1) * base.length, (i + 2) * base.length);
    variant.set(base);
    for (let c = 0; c < C; c++) variant[c * S * S + pos]! += 3;
  });
  const out = await runGraph(model, AR_INPUT, batch, [positions.length + 1, C, S, S]);
  const at = (b: number, c: number): number => out[b * C * S * S + c * S * S + P.y * S + P.x]!;
  return positions.map((_, i) =>
    Math.max(...Array.from({ length: C }, (_, c) => Math.abs(at(i + 1, c) - at(0, c)))),
  );
}

const pIndex = P.y * S + P.x;
const cfg = (mode: ArConfig['mode'], dilations: number[], flipped = false): ArConfig =>
  parseArConfig({ mode, inChannels: C, hidden: 8, dilations, flipped });

describe('receptive field', () => {
  it('causal: the prediction at p never depends on p or any later patch in raster order', async () => {
    const config = cfg('causal', [1, 2, 4, 8]);
    const deps = dependencySet(config, S, S, P.y, P.x);
    const later = Array.from({ length: S * S - pIndex }, (_, i) => pIndex + i);
    expect(later.every((pos) => deps[pos] === 0)).toBe(true);
    const changes = await predictionChangesAtP(config, later);
    expect(Math.max(...changes)).toBe(0);
    // and it does see the past: the patch just before p
    const [before] = await predictionChangesAtP(config, [pIndex - 1]);
    expect(deps[pIndex - 1]).toBe(1);
    expect(before).toBeGreaterThan(1e-5);
    expect(isStrictBlindSpot(config)).toBe(true);
  });

  it('flipped causal: the prediction at p depends only on later patches', async () => {
    const config = cfg('causal', [4, 4, 4, 4], true);
    const deps = dependencySet(config, S, S, P.y, P.x);
    expect(deps.subarray(0, pIndex + 1).every((v) => v === 0)).toBe(true);
    expect(deps.subarray(pIndex + 1).some((v) => v === 1)).toBe(true);
    const earlier = Array.from({ length: pIndex + 1 }, (_, i) => i);
    expect(Math.max(...(await predictionChangesAtP(config, earlier)))).toBe(0);
  });

  it("bidirectional [4,4,4,4] (the paper's setting) is not a blind spot: p reaches itself via p+4", async () => {
    const config = cfg('bidirectional', [4, 4, 4, 4]);
    expect(isStrictBlindSpot(config)).toBe(false);
    const paths = selfDependencyPaths(config);
    expect(paths.count).toBeGreaterThan(0);
    const hops = paths.example!.filter((o) => o.dy !== 0 || o.dx !== 0);
    expect(hops).toHaveLength(2);
    expect(Math.abs(hops[0]!.dy) + Math.abs(hops[0]!.dx)).toBeGreaterThanOrEqual(4);
    expect(dependencySet(config, S, S, P.y, P.x)[pIndex]).toBe(1);
    const [change] = await predictionChangesAtP(config, [pIndex]);
    expect(change).toBeGreaterThan(1e-5);
  });

  it('bidirectional [1,2,4,8] is a strict blind spot, proven and measured', async () => {
    const config = cfg('bidirectional', [1, 2, 4, 8]);
    expect(isStrictBlindSpot(config)).toBe(true);
    expect(selfDependencyPaths(config)).toEqual({ count: 0, example: null });
    const deps = dependencySet(config, S, S, P.y, P.x);
    expect(deps[pIndex]).toBe(0);
    const [self, neighbour] = await predictionChangesAtP(config, [pIndex, pIndex + 1]);
    expect(self).toBeLessThan(1e-6);
    expect(neighbour).toBeGreaterThan(1e-5);
  });

  it('standard mode depends on p itself', async () => {
    const config = cfg('standard', [4, 4, 4, 4]);
    expect(isStrictBlindSpot(config)).toBe(false);
    expect(dependencySet(config, S, S, P.y, P.x)[pIndex]).toBe(1);
    const [change] = await predictionChangesAtP(config, [pIndex]);
    expect(change).toBeGreaterThan(1e-5);
  });

  it('marks causal border positions as lacking context', () => {
    const config = cfg('causal', [1]);
    // reach per layer: 1 up, 1 left, 1 right, 0 down; 5 layers
    const full = fullContextMask(config, 28, 28);
    expect(full[0]).toBe(0);
    expect(full[5 * 28 + 5]).toBe(1);
    expect(full[27 * 28 + 22]).toBe(1);
    expect(full[27 * 28 + 23]).toBe(0);
    const fraction = contextFraction(config, 28, 28);
    expect(fraction[0]).toBeLessThan(0.05);
    expect(fraction[10 * 28 + 10]).toBe(1);
    // the paper's reach (20 patches each way) leaves no 28x28 position with a full field
    expect(fullContextMask(cfg('bidirectional', [4, 4, 4, 4]), 28, 28).every((v) => v === 0)).toBe(
      true,
    );
  });
});
