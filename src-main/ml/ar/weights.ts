/**
 * Parameters of the AR model: per layer a convolution weight
 * [out, in, kernel, kernel] and a bias [out], float32, row-major. They
 * serialise to one flat Float32Array (layer by layer, weight then bias), so a
 * stored model is its config plus that array.
 */
import { createRng } from '../random';
import { layerChannels } from './config';
import type { ArConfig } from './config';
import { layerMask } from './masks';

export interface ArLayerWeights {
  /** [out, in, kernel, kernel] */
  weight: Float32Array;
  /** [out] */
  bias: Float32Array;
}

export interface ArWeights {
  layers: ArLayerWeights[];
}

/** Sizes of layer `layer`'s weight and bias. */
function layerSizes(
  config: ArConfig,
  layer: number,
): { weight: number; bias: number; fanIn: number } {
  const { inChannels, outChannels } = layerChannels(config, layer);
  const fanIn = inChannels * config.kernel * config.kernel;
  return { weight: outChannels * fanIn, bias: outChannels, fanIn };
}

/** Number of trainable parameters (masked taps included: they exist but stay zero). */
export function arParameterCount(config: ArConfig): number {
  let total = 0;
  for (let layer = 0; layer < config.layers; layer++) {
    const sizes = layerSizes(config, layer);
    total += sizes.weight + sizes.bias;
  }
  return total;
}

/**
 * Initialisation as PyTorch's Conv2d.reset_parameters: kaiming_uniform_ with
 * a = sqrt(5) gives bound = sqrt(2 / (1 + 5)) * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
 * for the weights, and the bias is uniform in +-1/sqrt(fan_in) too
 * (fan_in = in_channels * kernel^2). Weights are returned unmasked.
 */
export function initArWeights(config: ArConfig, seed: number): ArWeights {
  const rng = createRng(seed);
  const uniform = (n: number, bound: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * rng.next() - 1) * bound;
    return out;
  };
  const layers: ArLayerWeights[] = [];
  for (let layer = 0; layer < config.layers; layer++) {
    const sizes = layerSizes(config, layer);
    const bound = 1 / Math.sqrt(sizes.fanIn);
    const weight = uniform(sizes.weight, bound);
    const bias = uniform(sizes.bias, bound);
    layers.push({ weight, bias });
  }
  return { layers };
}

/** A copy of `weights` with every layer's masked taps set to zero. */
export function maskArWeights(config: ArConfig, weights: ArWeights): ArWeights {
  checkArWeights(config, weights);
  const taps = config.kernel * config.kernel;
  return {
    layers: weights.layers.map((layerWeights, layer) => {
      const mask = layerMask(config, layer);
      const weight = layerWeights.weight.slice();
      for (let i = 0; i < weight.length; i++) weight[i]! *= mask[i % taps]!;
      return { weight, bias: layerWeights.bias.slice() };
    }),
  };
}

/** Throws when `weights` do not have the shapes `config` asks for. */
export function checkArWeights(config: ArConfig, weights: ArWeights): void {
  if (weights.layers.length !== config.layers) {
    throw new RangeError(
      `AR weights have ${weights.layers.length} layers, the config asks for ${config.layers}`,
    );
  }
  weights.layers.forEach((layerWeights, layer) => {
    const sizes = layerSizes(config, layer);
    if (layerWeights.weight.length !== sizes.weight || layerWeights.bias.length !== sizes.bias) {
      throw new RangeError(
        `AR layer ${layer}: weight ${layerWeights.weight.length} / bias ${layerWeights.bias.length} values, expected ${sizes.weight} / ${sizes.bias}`,
      );
    }
  });
}

/** All parameters in one array: layer by layer, weight then bias. */
export function flattenArWeights(config: ArConfig, weights: ArWeights): Float32Array {
  checkArWeights(config, weights);
  const flat = new Float32Array(arParameterCount(config));
  let offset = 0;
  for (const { weight, bias } of weights.layers) {
    flat.set(weight, offset);
    offset += weight.length;
    flat.set(bias, offset);
    offset += bias.length;
  }
  return flat;
}

/** Inverse of flattenArWeights; the returned arrays are copies. */
export function unflattenArWeights(config: ArConfig, flat: Float32Array): ArWeights {
  const expected = arParameterCount(config);
  if (flat.length !== expected)
    throw new RangeError(`AR weights: ${flat.length} values, the config needs ${expected}`);
  const layers: ArLayerWeights[] = [];
  let offset = 0;
  for (let layer = 0; layer < config.layers; layer++) {
    const sizes = layerSizes(config, layer);
    const weight = flat.slice(offset, offset + sizes.weight);
    offset += sizes.weight;
    const bias = flat.slice(offset, offset + sizes.bias);
    offset += sizes.bias;
    layers.push({ weight, bias });
  }
  return { layers };
}
