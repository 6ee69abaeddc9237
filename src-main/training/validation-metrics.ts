/**
 * Validation AUPR of a model under training: image scores (max of the anomaly
 * map, ARCHITECTURE.md "Scoring") of the held-out normal studies' frames
 * (negatives) and of the labelled abnormal studies' frames (positives), and
 * the average precision of those scores. Image-level because abnormal studies
 * carry a study verdict, not pixel labels; every frame of an abnormal study
 * counts as positive, so the figure is a lower bound when a lesion spans only
 * some slices. Used to compare epochs and versions, not as a clinical figure.
 */
import { buildArAnomalyMapGraph, AR_ANOMALY_MAP, AR_INPUT } from '../ml/ar/graph';
import type { ArModel } from '../ml/ar/graph';
import { averagePrecision } from '../ml/metrics';
import { closeSession, createSession, runFloat32 } from '../ml/onnx/session';
import type { SessionSettings } from '../ml/onnx/session';
import type { FeatureSource } from '../ml/train/batches';
import { assembleBatch } from '../ml/train/batches';

export interface GridDims {
  channels: number;
  height: number;
  width: number;
}

/**
 * Image score (max of the map) of every grid of `source` under `models`: one
 * model, or a causal model and its flipped partner whose maps are averaged
 * first, as the saved version scores; [source.count] float64.
 */
export async function imageMaxScores(
  models: readonly ArModel[],
  source: FeatureSource,
  dims: GridDims,
  batchSize: number,
  session?: SessionSettings,
): Promise<Float64Array> {
  const scores = new Float64Array(source.count);
  if (source.count === 0) return scores;
  const gridSize = dims.channels * dims.height * dims.width;
  const plane = dims.height * dims.width;
  const onnx = await createSession(buildArAnomalyMapGraph(models), session);
  try {
    for (let start = 0; start < source.count; start += batchSize) {
      const indices = Array.from(
        { length: Math.min(batchSize, source.count - start) },
        (_, k) => start + k,
      );
      const batch = await assembleBatch(source, indices, gridSize);
      const out = await runFloat32(onnx, {
        [AR_INPUT]: { data: batch, dims: [indices.length, dims.channels, dims.height, dims.width] },
      });
      const maps = out[AR_ANOMALY_MAP]!.data;
      indices.forEach((index, k) => {
        let max = -Infinity;
        for (let j = k * plane; j < (k + 1) * plane; j++) if (maps[j]! > max) max = maps[j]!;
        scores[index] = max;
      });
    }
  } finally {
    await closeSession(onnx);
  }
  return scores;
}

/** Average precision of abnormal (positive) against normal (negative) image scores; null without both kinds. */
export function imageAupr(
  normalScores: ArrayLike<number>,
  abnormalScores: ArrayLike<number>,
): number | null {
  if (normalScores.length === 0 || abnormalScores.length === 0) return null;
  const scores = [...Array.from(normalScores), ...Array.from(abnormalScores)];
  const labels = scores.map((_, i) => (i < normalScores.length ? 0 : 1));
  return averagePrecision(scores, labels);
}
