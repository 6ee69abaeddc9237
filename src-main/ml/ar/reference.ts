/**
 * A plain float64 forward pass of the AR model, written for clarity, not
 * speed: the yardstick the ONNX graphs are tested against.
 */
import { layerChannels, layerDilation, layerPadding } from './config';
import type { ArConfig } from './config';
import { maskArWeights } from './weights';
import type { ArWeights } from './weights';

/**
 * Prediction for one grid.
 * @param features [C, H, W] row-major
 * @returns [C, H, W] float64
 */
export function arReferenceForward(
  config: ArConfig,
  weights: ArWeights,
  features: ArrayLike<number>,
  height: number,
  width: number,
): Float64Array {
  if (features.length !== config.inChannels * height * width) {
    throw new RangeError(
      `reference forward: ${features.length} values for [${config.inChannels}, ${height}, ${width}]`,
    );
  }
  const masked = maskArWeights(config, weights);
  let x: Float64Array = Float64Array.from(features);
  if (config.flipped) x = flipGrid(x, height, width);
  for (let layer = 0; layer < config.layers; layer++) {
    const { weight, bias } = masked.layers[layer]!;
    x = conv2d(
      x,
      weight,
      bias,
      layerChannels(config, layer),
      config.kernel,
      layerDilation(config, layer),
      layerPadding(config, layer),
      height,
      width,
    );
    if (layer < config.layers - 1) for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i]!);
  }
  return config.flipped ? flipGrid(x, height, width) : x;
}

/**
 * Anomaly map for one grid: mean over channels of the squared prediction
 * error, averaged over `models` (a causal model and its flipped partner).
 * @returns [H, W] float64
 */
export function arReferenceAnomalyMap(
  models: readonly { config: ArConfig; weights: ArWeights }[],
  features: ArrayLike<number>,
  height: number,
  width: number,
): Float64Array {
  const plane = height * width;
  const map = new Float64Array(plane);
  for (const { config, weights } of models) {
    const prediction = arReferenceForward(config, weights, features, height, width);
    const channels = config.inChannels;
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < plane; i++) {
        const error = prediction[c * plane + i]! - features[c * plane + i]!;
        map[i]! += (error * error) / channels / models.length;
      }
    }
  }
  return map;
}

/** Zero-padded dilated convolution of one [in, H, W] grid; output [out, H, W]. */
function conv2d(
  x: Float64Array,
  weight: Float32Array,
  bias: Float32Array,
  channels: { inChannels: number; outChannels: number },
  kernel: number,
  dilation: number,
  padding: number,
  height: number,
  width: number,
): Float64Array {
  const plane = height * width;
  const out = new Float64Array(channels.outChannels * plane);
  for (let o = 0; o < channels.outChannels; o++) {
    for (let y = 0; y < height; y++) {
      for (let xx = 0; xx < width; xx++) {
        let sum = bias[o]!;
        for (let i = 0; i < channels.inChannels; i++) {
          for (let ky = 0; ky < kernel; ky++) {
            const sy = y - padding + ky * dilation;
            if (sy < 0 || sy >= height) continue;
            for (let kx = 0; kx < kernel; kx++) {
              const sx = xx - padding + kx * dilation;
              if (sx < 0 || sx >= width) continue;
              sum +=
                weight[((o * channels.inChannels + i) * kernel + ky) * kernel + kx]! *
                x[i * plane + sy * width + sx]!;
            }
          }
        }
        out[o * plane + y * width + xx] = sum;
      }
    }
  }
  return out;
}

/** Rotates each [H, W] plane of a [C, H, W] grid by 180 degrees. */
function flipGrid(x: Float64Array, height: number, width: number): Float64Array {
  const plane = height * width;
  const out = new Float64Array(x.length);
  for (let c = 0; c < x.length / plane; c++) {
    for (let i = 0; i < plane; i++) out[c * plane + i] = x[c * plane + plane - 1 - i]!;
  }
  return out;
}
