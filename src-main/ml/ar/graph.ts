/**
 * The AR model as ONNX, generated from config + weights. Masks are applied to
 * the weights here, so a graph never contains a masked tap's trained value.
 *
 * Graphs:
 * - prediction graph: `features` [B, C, H, W] float32 -> `prediction` [B, C, H, W]
 * - anomaly-map graph: `features` -> `anomaly_map` [B, H, W], the mean over
 *   channels of the squared prediction error per patch. Given a causal model
 *   and its flipped partner it runs both in one graph and averages their maps,
 *   so the flipped model covers the first rows and columns that the first one
 *   predicts with little context.
 * B, H and W are dynamic.
 */
import { GraphBuilder } from '../onnx/graph-builder';
import type { ModelOptions } from '../onnx/graph-builder';
import { layerChannels, layerDilation, layerPadding } from './config';
import type { ArConfig } from './config';
import { maskArWeights } from './weights';
import type { ArWeights } from './weights';

export const AR_INPUT = 'features';
export const AR_PREDICTION = 'prediction';
export const AR_ANOMALY_MAP = 'anomaly_map';

export interface ArModel {
  config: ArConfig;
  weights: ArWeights;
}

/** Builds the prediction graph of one model. */
export function buildArGraph(
  config: ArConfig,
  weights: ArWeights,
  options: ModelOptions = {},
): Uint8Array {
  const builder = new GraphBuilder('ar_model');
  const input = builder.input(AR_INPUT, 'float32', ['batch', config.inChannels, 'height', 'width']);
  appendArModel(builder, { config, weights }, input, 'm0', AR_PREDICTION);
  builder.output(AR_PREDICTION, 'float32', ['batch', config.inChannels, 'height', 'width']);
  return builder.build({
    ...options,
    metadata: { 'normscope.ar.config': JSON.stringify(config), ...options.metadata },
  });
}

/**
 * Builds the anomaly-map graph of one model, or of a causal model plus its
 * flipped partner (maps averaged). All models must share inChannels.
 */
export function buildArAnomalyMapGraph(
  models: readonly ArModel[],
  options: ModelOptions = {},
): Uint8Array {
  if (models.length === 0) throw new RangeError('anomaly-map graph: no model given');
  const channels = models[0]!.config.inChannels;
  if (models.some((m) => m.config.inChannels !== channels)) {
    throw new RangeError(
      'anomaly-map graph: the models disagree on the number of feature channels',
    );
  }
  const builder = new GraphBuilder('ar_anomaly_map');
  const input = builder.input(AR_INPUT, 'float32', ['batch', channels, 'height', 'width']);
  const maps = models.map((model, index) => {
    const prediction = appendArModel(builder, model, input, `m${index}`);
    const error = builder.node('Sub', [prediction, input]);
    const squared = builder.node('Mul', [error, error]);
    return builder.node('ReduceMean', [squared], { axes: { ints: [1] }, keepdims: { int: 0 } });
  });
  if (maps.length === 1) {
    builder.node('Identity', [maps[0]!], {}, AR_ANOMALY_MAP);
  } else {
    const sum = builder.node('Sum', maps);
    builder.node('Mul', [sum, builder.scalar(1 / maps.length)], {}, AR_ANOMALY_MAP);
  }
  builder.output(AR_ANOMALY_MAP, 'float32', ['batch', 'height', 'width']);
  const configs = JSON.stringify(models.map((m) => m.config));
  return builder.build({
    ...options,
    metadata: { 'normscope.ar.configs': configs, ...options.metadata },
  });
}

/** Appends one model's layers reading `input`; returns the name of its prediction. */
function appendArModel(
  builder: GraphBuilder,
  model: ArModel,
  input: string,
  prefix: string,
  outputName?: string,
): string {
  const { config } = model;
  const masked = maskArWeights(config, model.weights);
  let x = config.flipped ? flipGrid(builder, input) : input;
  for (let layer = 0; layer < config.layers; layer++) {
    const { inChannels, outChannels } = layerChannels(config, layer);
    const { weight, bias } = masked.layers[layer]!;
    const k = config.kernel;
    const w = builder.floatTensor(`${prefix}.conv${layer}.weight`, weight, [
      outChannels,
      inChannels,
      k,
      k,
    ]);
    const b = builder.floatTensor(`${prefix}.conv${layer}.bias`, bias, [outChannels]);
    const dilation = layerDilation(config, layer);
    const pad = layerPadding(config, layer);
    const isLast = layer === config.layers - 1;
    const convName = isLast && !config.flipped ? outputName : undefined;
    x = builder.node(
      'Conv',
      [x, w, b],
      {
        kernel_shape: { ints: [k, k] },
        dilations: { ints: [dilation, dilation] },
        pads: { ints: [pad, pad, pad, pad] },
      },
      convName,
    );
    if (!isLast) x = builder.node('Relu', [x]);
  }
  return config.flipped ? flipGrid(builder, x, outputName) : x;
}

/** Reverses both spatial axes of an [B, C, H, W] tensor (a 180 degree rotation). */
function flipGrid(builder: GraphBuilder, x: string, outputName?: string): string {
  const starts = builder.int64s([-1, -1]);
  // any end below -H clamps to "before the first element" for a negative step
  const ends = builder.int64s([-Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]);
  const axes = builder.int64s([2, 3]);
  const steps = builder.int64s([-1, -1]);
  return builder.node('Slice', [x, starts, ends, axes, steps], {}, outputName);
}
