/**
 * Float64 reference of one AR training step, written for clarity, not speed:
 * forward with cached activations, MSE loss, analytic backward, AdamW. The ONNX
 * training graphs (graphs.ts) are tested against it; nothing in production
 * trains with it.
 *
 * Layout: tensors are flat, row-major. Activations [B, C, H, W]; conv weights
 * [out, in, k, k]; biases [out]. Every conv pads by dilation * (k - 1) / 2 so the
 * grid size is kept (ARCHITECTURE.md, "AR model"); ReLU between layers, none
 * after the last.
 */
import { layerChannels, layerDilation } from '../ar/config';
import type { ArConfig } from '../ar/config';
import { layerMask } from '../ar/masks';
import type { ArWeights } from '../ar/weights';

/** Shape of one conv layer. `mask` has k*k entries (one per tap, shared by all channel pairs) or out*in*k*k; 0 = tap blocked. */
export interface RefConvLayer {
  inChannels: number;
  outChannels: number;
  kernel: number;
  dilation: number;
  mask?: ArrayLike<number>;
}

export interface RefConvParams {
  /** [out, in, k, k] */
  weight: Float64Array;
  /** [out] */
  bias: Float64Array;
}

export interface GridShape {
  batch: number;
  height: number;
  width: number;
}

/** What the forward pass keeps for the backward pass. */
export interface RefForwardCache {
  /** inputs[l] = input of layer l, [B, in_l, H, W]; inputs[0] is the network input. */
  inputs: Float64Array[];
  /** preActivations[l] = conv output of layer l before the ReLU, [B, out_l, H, W]. */
  preActivations: Float64Array[];
  /** [B, out_last, H, W] */
  output: Float64Array;
}

/** The reference net of an AR model (flipping, for a flipped causal model, is left to the caller). */
export function referenceNetOf(
  config: ArConfig,
  weights: ArWeights,
): { layers: RefConvLayer[]; params: RefConvParams[] } {
  return {
    layers: weights.layers.map((_, l) => ({
      ...layerChannels(config, l),
      kernel: config.kernel,
      dilation: layerDilation(config, l),
      mask: layerMask(config, l),
    })),
    params: weights.layers.map((w) => ({
      weight: Float64Array.from(w.weight),
      bias: Float64Array.from(w.bias),
    })),
  };
}

function maskAt(layer: RefConvLayer, o: number, i: number, kh: number, kw: number): number {
  const { mask, kernel: k, inChannels } = layer;
  if (mask === undefined) return 1;
  if (mask.length === k * k) return mask[kh * k + kw] ?? 0;
  return mask[((o * inChannels + i) * k + kh) * k + kw] ?? 0;
}

/** Weight with blocked taps set to zero, so the reference net never sees through a mask even if a weight is nonzero. */
function maskedWeight(layer: RefConvLayer, weight: Float64Array): Float64Array {
  const { outChannels, inChannels, kernel: k } = layer;
  const out = new Float64Array(weight.length);
  for (let o = 0; o < outChannels; o++)
    for (let i = 0; i < inChannels; i++)
      for (let kh = 0; kh < k; kh++)
        for (let kw = 0; kw < k; kw++) {
          const idx = ((o * inChannels + i) * k + kh) * k + kw;
          out[idx] = maskAt(layer, o, i, kh, kw) === 0 ? 0 : (weight[idx] ?? 0);
        }
  return out;
}

function checkLayer(layer: RefConvLayer, params: RefConvParams, index: number): void {
  const { outChannels, inChannels, kernel: k } = layer;
  if (k % 2 !== 1) throw new RangeError(`reference: layer ${index} kernel ${k} must be odd`);
  if (
    params.weight.length !== outChannels * inChannels * k * k ||
    params.bias.length !== outChannels
  )
    throw new RangeError(
      `reference: layer ${index} expects weight [${outChannels},${inChannels},${k},${k}] and bias [${outChannels}], ` +
        `got ${params.weight.length} and ${params.bias.length} values`,
    );
}

/** y[B, out, H, W] = conv(x[B, in, H, W], w, b) with the layer's dilation and same-size padding. */
function conv(
  layer: RefConvLayer,
  w: Float64Array,
  b: Float64Array,
  x: Float64Array,
  g: GridShape,
): Float64Array {
  const { outChannels: O, inChannels: I, kernel: k, dilation: d } = layer;
  const { batch: B, height: H, width: W } = g;
  const pad = (d * (k - 1)) / 2;
  const y = new Float64Array(B * O * H * W);
  for (let n = 0; n < B; n++)
    for (let o = 0; o < O; o++)
      for (let r = 0; r < H; r++)
        for (let c = 0; c < W; c++) {
          let acc = b[o] ?? 0;
          for (let i = 0; i < I; i++)
            for (let kh = 0; kh < k; kh++) {
              const rr = r + kh * d - pad;
              if (rr < 0 || rr >= H) continue;
              for (let kw = 0; kw < k; kw++) {
                const cc = c + kw * d - pad;
                if (cc < 0 || cc >= W) continue;
                acc +=
                  (w[((o * I + i) * k + kh) * k + kw] ?? 0) *
                  (x[((n * I + i) * H + rr) * W + cc] ?? 0);
              }
            }
          y[((n * O + o) * H + r) * W + c] = acc;
        }
  return y;
}

/** Forward pass of the AR net on x [B, C, H, W]; keeps what backward needs. */
export function referenceForward(
  layers: readonly RefConvLayer[],
  params: readonly RefConvParams[],
  x: Float64Array,
  grid: GridShape,
): RefForwardCache {
  const inputs: Float64Array[] = [];
  const preActivations: Float64Array[] = [];
  let h = x;
  layers.forEach((layer, l) => {
    const p = params[l];
    if (p === undefined) throw new RangeError(`reference: no parameters for layer ${l}`);
    checkLayer(layer, p, l);
    inputs.push(h);
    const z = conv(layer, maskedWeight(layer, p.weight), p.bias, h, grid);
    preActivations.push(z);
    h = l === layers.length - 1 ? z : z.map((v) => (v > 0 ? v : 0));
  });
  return { inputs, preActivations, output: h };
}

/** Mean squared error over all elements, as torch.nn.MSELoss(reduction='mean'). */
export function referenceMseLoss(prediction: Float64Array, target: Float64Array): number {
  if (prediction.length !== target.length)
    throw new RangeError(
      `reference: prediction has ${prediction.length} values, target ${target.length}`,
    );
  let sum = 0;
  for (let j = 0; j < prediction.length; j++) {
    const e = (prediction[j] ?? 0) - (target[j] ?? 0);
    sum += e * e;
  }
  return sum / prediction.length;
}

/**
 * Analytic gradient of the MSE loss w.r.t. every weight and bias. Blocked taps get
 * a zero gradient (the masks are part of the model, not of the initialisation).
 */
export function referenceBackward(
  layers: readonly RefConvLayer[],
  params: readonly RefConvParams[],
  cache: RefForwardCache,
  target: Float64Array,
  grid: GridShape,
): RefConvParams[] {
  const { batch: B, height: H, width: W } = grid;
  const n = cache.output.length;
  // dL/dpred for mean((pred - target)^2)
  let gOut: Float64Array = cache.output.map((v, j) => (2 * (v - (target[j] ?? 0))) / n);
  const grads: RefConvParams[] = new Array<RefConvParams>(layers.length);
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l] as RefConvLayer;
    const p = params[l] as RefConvParams;
    const { outChannels: O, inChannels: I, kernel: k, dilation: d } = layer;
    const pad = (d * (k - 1)) / 2;
    const z = cache.preActivations[l] as Float64Array;
    const x = cache.inputs[l] as Float64Array;
    const gz = l === layers.length - 1 ? gOut : gOut.map((g, j) => ((z[j] ?? 0) > 0 ? g : 0));
    const gw = new Float64Array(O * I * k * k);
    const gb = new Float64Array(O);
    const wm = maskedWeight(layer, p.weight);
    const gx = l > 0 ? new Float64Array(B * I * H * W) : undefined;
    for (let b = 0; b < B; b++)
      for (let o = 0; o < O; o++)
        for (let r = 0; r < H; r++)
          for (let c = 0; c < W; c++) {
            const g = gz[((b * O + o) * H + r) * W + c] ?? 0;
            if (g === 0) continue;
            gb[o] = (gb[o] ?? 0) + g;
            for (let i = 0; i < I; i++)
              for (let kh = 0; kh < k; kh++) {
                const rr = r + kh * d - pad;
                if (rr < 0 || rr >= H) continue;
                for (let kw = 0; kw < k; kw++) {
                  const cc = c + kw * d - pad;
                  if (cc < 0 || cc >= W) continue;
                  const wi = ((o * I + i) * k + kh) * k + kw;
                  const xi = ((b * I + i) * H + rr) * W + cc;
                  gw[wi] = (gw[wi] ?? 0) + g * (x[xi] ?? 0);
                  if (gx !== undefined) gx[xi] = (gx[xi] ?? 0) + g * (wm[wi] ?? 0);
                }
              }
          }
    grads[l] = { weight: maskedWeight(layer, gw), bias: gb };
    if (gx !== undefined) gOut = gx;
  }
  return grads;
}

/** AdamW hyper-parameters, named as torch.optim.AdamW names them. */
export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * One AdamW step in place, exactly as torch.optim.AdamW (single-tensor path,
 * amsgrad off): decoupled decay p *= 1 - lr*wd first, then the Adam update with
 * bias correction, eps added to sqrt(v)/sqrt(1 - beta2^t). `step` is the 1-based
 * count after this update; bias corrections are computed in float64 as torch does.
 */
export function referenceAdamWStep(
  param: Float64Array,
  grad: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  step: number,
  hyper: AdamWHyper,
): void {
  const { lr, beta1, beta2, eps, weightDecay } = hyper;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  for (let j = 0; j < param.length; j++) {
    const g = grad[j] ?? 0;
    const mj = beta1 * (m[j] ?? 0) + (1 - beta1) * g;
    const vj = beta2 * (v[j] ?? 0) + (1 - beta2) * g * g;
    m[j] = mj;
    v[j] = vj;
    const decayed = (param[j] ?? 0) * (1 - lr * weightDecay);
    param[j] = decayed - (stepSize * mj) / (Math.sqrt(vj) / bc2Sqrt + eps);
  }
}
