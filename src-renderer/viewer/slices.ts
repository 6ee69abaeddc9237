/**
 * A series as the viewer scrolls it: one entry per frame of each instance in
 * slice order, with its image score when the study was scored.
 */
import type { SeriesView } from '../../src-main/api/contract';

export interface SliceRef {
  sopInstanceUid: string;
  frame: number;
  /** index of the instance in the series */
  instanceIndex: number;
  score: number | null;
}

export function seriesSlices(series: SeriesView | undefined): SliceRef[] {
  if (!series) return [];
  const scores = new Map(series.imageScores.map((s) => [`${s.sopInstanceUid}/${s.frame}`, s.imageScore]));
  return series.instances.flatMap((instance, instanceIndex) =>
    Array.from({ length: instance.frames }, (_, frame) => ({
      sopInstanceUid: instance.sopInstanceUid,
      frame,
      instanceIndex,
      score: scores.get(`${instance.sopInstanceUid}/${frame}`) ?? null,
    })),
  );
}

/** Index of the slice with the highest score, or null when none is scored. */
export function mostAnomalousSlice(slices: readonly SliceRef[]): number | null {
  let best: number | null = null;
  slices.forEach((slice, k) => {
    if (slice.score !== null && (best === null || slice.score > slices[best]!.score!)) best = k;
  });
  return best;
}

/** Slice indices to prefetch around `at`, nearest first (at itself first). */
export function prefetchOrder(at: number, count: number, radius: number): number[] {
  const order = [at];
  for (let d = 1; d <= radius; d++) {
    if (at + d < count) order.push(at + d);
    if (at - d >= 0) order.push(at - d);
  }
  return order;
}
