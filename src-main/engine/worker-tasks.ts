/**
 * The engine's work in the supervised worker process: probing a backbone the
 * user imports, backbone features of stored frames, and AR anomaly maps.
 * ONNX Runtime runs only here, so a model that crashes it fails a task, not
 * the app. Sessions stay warm between tasks (session-cache.ts).
 */
import { readFile } from 'node:fs/promises';
import { NormscopeError } from '../api/errors';
import type { Task } from '../jobs/task';
import type { ArConfig } from '../ml/ar/config';
import { AR_ANOMALY_MAP, AR_INPUT, buildArAnomalyMapGraph } from '../ml/ar/graph';
import { probeBackbone } from '../ml/backbone/probe';
import type { BackboneManifest } from '../ml/backbone/manifest';
import { runFloat32 } from '../ml/onnx/session';
import type { ProviderName } from '../ml/onnx/session';
import type { PreprocessingSpec } from '../ml/preprocess';
import { externalDataLocations } from './external-data';
import { extractFrameFeatures } from './frame-features';
import type { FrameSource } from './frame-features';
import { decodeModelWeights } from './model-weights';
import { SessionCache } from './session-cache';
import type { SessionPreference } from './session-cache';

/** A backbone as a worker loads it: the path ONNX Runtime reads, its identity and layout. */
export interface BackboneRef {
  path: string;
  sha256: string;
  manifest: BackboneManifest;
}

/** What ran: recorded with every scoring run. */
export interface RanWith {
  provider: ProviderName;
  ortVersion: string;
  intraOpThreads: number;
}

export interface ProbeInput {
  path: string;
  name?: string;
  source?: string;
}

export interface ProbeOutput {
  manifest: BackboneManifest;
  /** external data files the model names, relative to its folder (the probe checked they lie inside it) */
  externalData: string[];
}

export interface FeaturesInput {
  backbone: BackboneRef;
  spec: PreprocessingSpec;
  frames: FrameSource[];
  session: SessionPreference;
  batchSize: number;
}

export interface FeaturesOutput extends RanWith {
  /** per frame [channels, grid, grid] float32 */
  features: Float32Array[];
  /** per frame [grid, grid] 0/1 */
  foreground: Uint8Array[];
}

export interface AnomalyMapsInput {
  model: {
    /** identity of the weights (model version id and weights sha256): the warm session's key */
    key: string;
    /** main model then the flipped partner, as in the weights file */
    configs: ArConfig[];
    weightsPath: string;
  };
  /** per frame [channels, height, width] float32 */
  features: Float32Array[];
  height: number;
  width: number;
  session: SessionPreference;
  batchSize: number;
}

export interface AnomalyMapsOutput extends RanWith {
  /** per frame [height, width] float32: mean over channels of the squared prediction error */
  maps: Float32Array[];
}

const backboneSessions = new SessionCache(2);
const arSessions = new SessionCache(2);

const probe: Task<ProbeInput, ProbeOutput> = async ({ path, name, source }) => {
  const manifest = await probeBackbone(path, {
    ...(name ? { name } : {}),
    ...(source ? { source } : {}),
  });
  return { manifest, externalData: externalDataLocations(new Uint8Array(await readFile(path))) };
};

const features: Task<FeaturesInput, FeaturesOutput> = async (input, ctx) => {
  const session = await backboneSessions.get(
    input.backbone.sha256,
    input.session,
    async () => input.backbone.path,
  );
  const extracted = await extractFrameFeatures(
    session,
    input.backbone.manifest,
    input.spec,
    input.frames,
    {
      batchSize: input.batchSize,
      signal: ctx.signal,
      onBatch: (done) =>
        ctx.progress.report(
          done / input.frames.length,
          `features of ${done} of ${input.frames.length} frames`,
        ),
    },
  );
  return {
    features: extracted.map((f) => f.features),
    foreground: extracted.map((f) => f.foreground),
    provider: session.provider,
    ortVersion: session.ortVersion,
    intraOpThreads: session.intraOpThreads,
  };
};

const anomalyMaps: Task<AnomalyMapsInput, AnomalyMapsOutput> = async (input, ctx) => {
  const { configs, key, weightsPath } = input.model;
  const session = await arSessions.get(key, input.session, async () => {
    const weights = decodeModelWeights(configs, new Uint8Array(await readFile(weightsPath)));
    return buildArAnomalyMapGraph(
      configs.map((config, index) => ({ config, weights: weights[index]! })),
    );
  });
  const channels = configs[0]!.inChannels;
  const plane = input.height * input.width;
  const maps: Float32Array[] = [];
  for (let start = 0; start < input.features.length; start += input.batchSize) {
    if (ctx.signal.aborted) throw new NormscopeError('Cancelled', 'anomaly maps were cancelled');
    const batch = input.features.slice(start, start + input.batchSize);
    const stacked = new Float32Array(batch.length * channels * plane);
    batch.forEach((grid, index) => {
      if (grid.length !== channels * plane) {
        throw new NormscopeError(
          'InvalidRequest',
          `features of frame ${start + index} have ${grid.length} values, expected ${channels}x${input.height}x${input.width}`,
        );
      }
      stacked.set(grid, index * channels * plane);
    });
    const outputs = await runFloat32(session, {
      [AR_INPUT]: { data: stacked, dims: [batch.length, channels, input.height, input.width] },
    });
    const map = outputs[AR_ANOMALY_MAP]!;
    for (let index = 0; index < batch.length; index++)
      maps.push(map.data.slice(index * plane, (index + 1) * plane));
    ctx.progress.report(
      maps.length / input.features.length,
      `anomaly maps of ${maps.length} of ${input.features.length} frames`,
    );
  }
  return {
    maps,
    provider: session.provider,
    ortVersion: session.ortVersion,
    intraOpThreads: session.intraOpThreads,
  };
};

export const engineTasks = {
  'backbone.probe': probe,
  'engine.features': features,
  'engine.anomalyMaps': anomalyMaps,
};
