/**
 * Where training reads backbone features: the engine's feature cache, computed
 * once per (instance, frame, backbone, preprocessing) and kept as float16, so
 * the epochs of a run (and later runs on the same studies) never run the
 * backbone again. Training depends on this interface only; the core passes the
 * engine's implementation.
 */
import type { PreprocessingSpec } from '../ml/preprocess';
import type { Backbone } from '../store/repositories/models-repository';

/** One image: frame `frame` (0-based) of a stored instance. */
export interface FrameRef {
  studyUid: string;
  sopInstanceUid: string;
  frame: number;
}

/** Features of frames under one backbone and preprocessing. */
export interface FrameFeatures {
  /**
   * The patch features of one frame, [C, H, W] float32 row-major (C = the
   * backbone's embedding size, H x W its patch grid); computed and cached on
   * the first call, read from the cache afterwards.
   */
  get(frame: FrameRef, signal?: AbortSignal): Promise<Float32Array>;
}

export type FeatureProvider = (backbone: Backbone, preprocessing: PreprocessingSpec) => FrameFeatures;
