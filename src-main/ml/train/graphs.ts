/**
 * Training of the AR model as ONNX graphs (issue 5): forward, MSE loss, the
 * analytic backward pass and the AdamW update, so that training runs in the
 * same runtime and on the same execution providers as scoring.
 *
 * Parameters, Adam moments and the per-step AdamW scalars are graph inputs, not
 * initialisers, so one session serves every step. B, H and W are dynamic.
 *
 * How the gradients are computed (measured with ONNX Runtime 1.30 on the 2 shared
 * CPU cores of the build machine, 256 -> 256 channels, 28x28 grid, batch 8,
 * dilation 4; times are wall ms on a quiet machine, then process CPU ms under
 * load; forward Conv: 43-46 wall, 106-126 CPU):
 * - dX: a Conv of dY with the kernel transposed (in <-> out) and flipped in
 *   space, same dilation and padding: 49 wall, about a forward Conv in CPU.
 *   ConvTranspose took 73-78 wall. The first layer needs no dX.
 * - dW: for each kernel tap one MatMul of dY^T [out, B*H*W] with the input
 *   shifted by that tap [B*H*W, in] (channels last): 51 wall, 182 CPU. A Conv
 *   with the batch as channels took 122-160 wall (its GEMMs have 9 columns).
 *   One im2col GEMM over all taps saved 10-15 % CPU but needs a [9*in, B*H*W]
 *   buffer (700 MB at batch 64, 384 channels), so the taps stay separate.
 *   Masked taps are not computed at all: their gradient is an exact zero,
 *   which is what re-applying the mask to the gradient would give, so masked
 *   taps never move (AdamW keeps a zero weight with zero moments at zero).
 * - db: row sums of the dY^T the dW products read; ReLU: Where(relu(z) > 0, g, 0);
 *   MSE: 2 (pred - target) / N.
 * - Layout: ONNX Runtime runs a Conv in its fast blocked NCHWc layout only when
 *   the weights are constants, as in scoring. On the CPU the training graphs
 *   call those kernels themselves (TrainGraphOptions, onnx/nchwc.ts): the
 *   forward and dX Convs run blocked, and the dW products read the blocked
 *   values reordered to channels last. Paper size, batch 16: 1.39 s a step
 *   against 1.62 s in plain NCHW; scoring 0.42 s.
 * One fused graph does forward, backward and update: the gradients never leave
 * the runtime. Split into a gradient graph and an AdamW graph the cost is about
 * the same (AdamW alone: ~110 CPU ms for the 3.5 M parameters of the paper-size
 * model) plus one more copy of every gradient, and the trainer would juggle two
 * sessions, so the fused graph is the one used; the separate gradient and AdamW
 * graphs exist for the tests.
 */
import { GraphBuilder } from '../onnx/graph-builder';
import { blockedConv, blockedFilter, blocksEvenly, fromBlocked, toBlocked } from '../onnx/nchwc';
import { layerChannels, layerDilation, layerPadding } from '../ar/config';
import type { ArConfig } from '../ar/config';
import { layerMask } from '../ar/masks';

/** Graph input: features the model reads, [B, C, H, W] (possibly noised). */
export const TRAIN_INPUT = 'features';
/** Graph input: what the model must predict, [B, C, H, W] (the clean features). */
export const TRAIN_TARGET = 'target';
/** Graph output: mean squared error over all elements, scalar. */
export const TRAIN_LOSS = 'loss';
/** Loss graph output: sum of squared errors per sample, [B]. */
export const SAMPLE_SSE = 'sample_sse';

/** Per-step AdamW scalars, float32 scalar inputs, computed in float64 by adamWScalars as torch does on the host. */
export const ADAMW_DECAY = 'adamw.decay';
export const ADAMW_STEP_SIZE = 'adamw.step_size';
export const ADAMW_BC2_SQRT = 'adamw.bias_correction2_sqrt';

export type ParamKind = 'weight' | 'bias';

/** Name of a parameter input, e.g. conv0.weight. */
export function paramName(layer: number, kind: ParamKind): string {
  return `conv${layer}.${kind}`;
}
/** Name of a gradient output of the gradient graph. */
export function gradName(layer: number, kind: ParamKind): string {
  return `grad.${paramName(layer, kind)}`;
}
/** Name of a moment input (m: first, v: second). */
export function momentName(moment: 'm' | 'v', layer: number, kind: ParamKind): string {
  return `${moment}.${paramName(layer, kind)}`;
}
/** Name of the updated value of an input (parameter or moment) output by the training-step graph. */
export function updatedName(inputName: string): string {
  return `new.${inputName}`;
}

/** Shape of parameter `kind` of `layer`. */
export function paramShape(config: ArConfig, layer: number, kind: ParamKind): number[] {
  const { inChannels, outChannels } = layerChannels(config, layer);
  return kind === 'weight'
    ? [outChannels, inChannels, config.kernel, config.kernel]
    : [outChannels];
}

/** The hyper-parameters of AdamW that are fixed for a run (lr may change per step: warm-up). */
export interface AdamWConstants {
  beta1: number;
  beta2: number;
  eps: number;
}

/** The three per-step scalars of torch's AdamW, in float64: decay 1 - lr*wd, lr / (1 - beta1^t), sqrt(1 - beta2^t). */
export function adamWScalars(
  lr: number,
  weightDecay: number,
  step: number,
  constants: AdamWConstants,
): { decay: number; stepSize: number; bc2Sqrt: number } {
  return {
    decay: 1 - lr * weightDecay,
    stepSize: lr / (1 - constants.beta1 ** step),
    bc2Sqrt: Math.sqrt(1 - constants.beta2 ** step),
  };
}

/**
 * How the graphs lay out activations. With `nchwcBlock` (ONNX Runtime's NCHWc
 * block size on this CPU, from nchwcBlockSize) the forward and dX convolutions
 * run as NCHWc kernels on blocked activations; a graph with such a block may
 * run only on the CPU provider. Configs whose channel counts the block does
 * not divide get the plain NCHW graph.
 */
export interface TrainGraphOptions {
  nchwcBlock?: number;
}

/** The block the graphs of `config` use, or undefined for plain NCHW. */
export function graphBlock(config: ArConfig, options: TrainGraphOptions): number | undefined {
  const block = options.nchwcBlock;
  return block !== undefined && blocksEvenly(block, [config.inChannels, config.hidden])
    ? block
    : undefined;
}

const BATCH_SHAPE = (config: ArConfig): (number | string)[] => [
  'batch',
  config.inChannels,
  'height',
  'width',
];

interface ForwardTrace {
  /** Input of each layer. */
  inputs: string[];
  /** Output of each layer's ReLU (the last layer has none); a > 0 exactly where the conv output z > 0. */
  activations: string[];
  /** Weight each layer convolves with (the masked weight where the layer has a mask). */
  effectiveWeights: string[];
  prediction: string;
}

function isAllOnes(mask: Float32Array): boolean {
  return mask.every((v) => v === 1);
}

/** Reverses both spatial axes of [B, C, H, W]: a flipped causal model reads the grid rotated by 180 degrees. */
function flipGrid(b: GraphBuilder, x: string, tag: string): string {
  const starts = b.int64Tensor(`flip.${tag}.starts`, [-1, -1]);
  const ends = b.int64Tensor(`flip.${tag}.ends`, [
    -Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
  ]);
  const axes = b.int64Tensor(`flip.${tag}.axes`, [2, 3]);
  const steps = b.int64Tensor(`flip.${tag}.steps`, [-1, -1]);
  return b.node('Slice', [x, starts, ends, axes, steps]);
}

function declareParams(b: GraphBuilder, config: ArConfig): void {
  for (let layer = 0; layer < config.layers; layer++)
    for (const kind of ['weight', 'bias'] as const)
      b.input(paramName(layer, kind), 'float32', paramShape(config, layer, kind));
}

/** Conv attributes of `layer`: its kernel, dilation and the padding that keeps the grid size (the dX conv uses the same). */
function convAttributes(config: ArConfig, layer: number) {
  const k = config.kernel;
  const d = layerDilation(config, layer);
  const pad = layerPadding(config, layer);
  return {
    kernel_shape: { ints: [k, k] },
    dilations: { ints: [d, d] },
    pads: { ints: [pad, pad, pad, pad] },
  };
}

/**
 * The forward pass over parameter inputs; masks multiply the weights so the
 * graph is the masked model whatever it is fed. With a block, every value in
 * the trace but the weights is blocked.
 */
function appendForward(
  b: GraphBuilder,
  config: ArConfig,
  input: string,
  block: number | undefined,
): ForwardTrace {
  const trace: ForwardTrace = { inputs: [], activations: [], effectiveWeights: [], prediction: '' };
  const k = config.kernel;
  let x = block === undefined ? input : toBlocked(b, input);
  for (let layer = 0; layer < config.layers; layer++) {
    const mask = layerMask(config, layer);
    const w = isAllOnes(mask)
      ? paramName(layer, 'weight')
      : b.node('Mul', [
          paramName(layer, 'weight'),
          b.floatTensor(`mask${layer}`, mask, [1, 1, k, k]),
        ]);
    trace.inputs.push(x);
    trace.effectiveWeights.push(w);
    const attributes = convAttributes(config, layer);
    const isLast = layer === config.layers - 1;
    const bias = paramName(layer, 'bias');
    if (block === undefined) {
      const z = b.node('Conv', [x, w, bias], attributes);
      x = isLast ? z : b.node('Relu', [z]);
    } else {
      const shape = { ...layerChannels(config, layer), kernel: k };
      x = blockedConv(b, [x, blockedFilter(b, w, shape, block), bias], attributes, !isLast);
    }
    // the ReLU grad reads the activation, not z, so z has one consumer and the ReLU fuses into the Conv
    trace.activations.push(x);
  }
  trace.prediction = x;
  return trace;
}

/** Flips input and target for a flipped model: the loss of the flipped prediction equals the loss on flipped grids. */
function modelInputs(
  b: GraphBuilder,
  config: ArConfig,
  withTarget: boolean,
): { input: string; target: string } {
  const input = b.input(TRAIN_INPUT, 'float32', BATCH_SHAPE(config));
  const target = withTarget ? b.input(TRAIN_TARGET, 'float32', BATCH_SHAPE(config)) : input;
  if (!config.flipped) return { input, target };
  const flippedInput = flipGrid(b, input, 'input');
  return { input: flippedInput, target: withTarget ? flipGrid(b, target, 'target') : flippedInput };
}

/**
 * The model's inputs and forward pass, and the target in the layout of the
 * prediction: the loss sums over every element, so it reads either layout as
 * long as prediction and target share it.
 */
function appendModel(
  b: GraphBuilder,
  config: ArConfig,
  withTarget: boolean,
  block: number | undefined,
): { trace: ForwardTrace; target: string } {
  const { input, target } = modelInputs(b, config, withTarget);
  const trace = appendForward(b, config, input, block);
  if (target === input) return { trace, target: trace.inputs[0]! };
  return { trace, target: block === undefined ? target : toBlocked(b, target) };
}

/** loss = mean((pred - target)^2) as output TRAIN_LOSS; returns dL/dpred = 2 (pred - target) / N. */
function appendMse(b: GraphBuilder, prediction: string, target: string): string {
  const diff = b.node('Sub', [prediction, target]);
  b.node('ReduceMean', [b.node('Mul', [diff, diff])], { keepdims: { int: 0 } }, TRAIN_LOSS);
  const count = b.node('Cast', [b.node('Size', [diff])], { to: { int: 1 } });
  return b.node('Mul', [diff, b.node('Div', [b.scalar(2), count])]);
}

/** dW [out, in, k, k] of one layer from its input x [B, in, H, W] and dZ as rows [out, B*H*W]; masked taps are exact zeros. */
function appendWeightGrad(
  b: GraphBuilder,
  config: ArConfig,
  layer: number,
  x: string,
  gzRows: string,
  block: number | undefined,
): string {
  const { inChannels, outChannels } = layerChannels(config, layer);
  const k = config.kernel;
  const d = layerDilation(config, layer);
  const pad = layerPadding(config, layer);
  const mask = layerMask(config, layer);
  const tag = `l${layer}`;
  // the input channels last and zero-padded, [B, H + 2 pad, W + 2 pad, in]
  const padsLast = b.int64Tensor(`dw.${tag}.pads`, [0, pad, pad, 0, 0, pad, pad, 0]);
  const channelsLast = b.node('Pad', [
    block === undefined
      ? b.node('Transpose', [x], { perm: { ints: [0, 2, 3, 1] } })
      : fromBlocked(b, x, inChannels, true),
    padsLast,
  ]);
  const xShape = b.int64Tensor(`dw.${tag}.xshape`, [-1, inChannels]);
  const axes = b.int64Tensor(`dw.${tag}.axes`, [1, 2]);
  const tapShape = b.int64Tensor(`dw.${tag}.tapshape`, [outChannels, inChannels, 1]);
  let zero: string | undefined;
  const taps: string[] = [];
  for (let kh = 0; kh < k; kh++)
    for (let kw = 0; kw < k; kw++) {
      if (mask[kh * k + kw] === 0) {
        zero ??= b.floatTensor(`dw.${tag}.zero`, new Float32Array(outChannels * inChannels), [
          outChannels,
          inChannels,
          1,
        ]);
        taps.push(zero);
        continue;
      }
      // rows kh*d .. kh*d + H of the padded grid; the end counts from the far edge because H is dynamic
      const endOf = (t: number): number =>
        t * d === 2 * pad ? Number.MAX_SAFE_INTEGER : t * d - 2 * pad;
      const shifted = b.node('Slice', [
        channelsLast,
        b.int64Tensor(`dw.${tag}.t${kh}${kw}.starts`, [kh * d, kw * d]),
        b.int64Tensor(`dw.${tag}.t${kh}${kw}.ends`, [endOf(kh), endOf(kw)]),
        axes,
      ]);
      const product = b.node('MatMul', [gzRows, b.node('Reshape', [shifted, xShape])]);
      taps.push(b.node('Reshape', [product, tapShape]));
    }
  return b.node('Reshape', [
    b.node('Concat', taps, { axis: { int: 2 } }),
    b.int64Tensor(`dw.${tag}.wshape`, [outChannels, inChannels, k, k]),
  ]);
}

/** dX [B, in, H, W] = Conv(dZ, W transposed and flipped) with the layer's dilation and padding. */
function appendInputGrad(
  b: GraphBuilder,
  config: ArConfig,
  layer: number,
  weight: string,
  gz: string,
  block: number | undefined,
): string {
  const k = config.kernel;
  const tag = `l${layer}`;
  const transposed = b.node('Transpose', [weight], { perm: { ints: [1, 0, 2, 3] } });
  const flipped = b.node('Slice', [
    transposed,
    b.int64Tensor(`dx.${tag}.starts`, [-1, -1]),
    b.int64Tensor(`dx.${tag}.ends`, [-Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]),
    b.int64Tensor(`dx.${tag}.axes`, [2, 3]),
    b.int64Tensor(`dx.${tag}.steps`, [-1, -1]),
  ]);
  const attributes = convAttributes(config, layer);
  if (block === undefined) return b.node('Conv', [gz, flipped], attributes);
  const { inChannels, outChannels } = layerChannels(config, layer);
  const shape = { outChannels: inChannels, inChannels: outChannels, kernel: k };
  return blockedConv(b, [gz, blockedFilter(b, flipped, shape, block)], attributes, false);
}

/** Backward pass; returns the gradient value names per layer. */
function appendBackward(
  b: GraphBuilder,
  config: ArConfig,
  trace: ForwardTrace,
  gPrediction: string,
  block: number | undefined,
): { weight: string; bias: string }[] {
  const grads = new Array<{ weight: string; bias: string }>(config.layers);
  const zero = b.scalar(0);
  const rowAxis = b.int64Tensor('db.axes', [1]);
  let g = gPrediction;
  for (let layer = config.layers - 1; layer >= 0; layer--) {
    const active = trace.activations[layer]!;
    const gz =
      layer === config.layers - 1
        ? g
        : b.node('Where', [b.node('Greater', [active, zero]), g, zero]);
    // dZ as a matrix [out, B*H*W]: the weight gradient multiplies it by shifted inputs, its row sums are the bias gradient
    const { outChannels } = layerChannels(config, layer);
    const gzRows = b.node('Reshape', [
      b.node('Transpose', [block === undefined ? gz : fromBlocked(b, gz, outChannels, false)], {
        perm: { ints: [1, 0, 2, 3] },
      }),
      b.int64s([outChannels, -1]),
    ]);
    grads[layer] = {
      weight: appendWeightGrad(b, config, layer, trace.inputs[layer]!, gzRows, block),
      bias: b.node('ReduceSum', [gzRows, rowAxis], { keepdims: { int: 0 } }),
    };
    if (layer > 0) g = appendInputGrad(b, config, layer, trace.effectiveWeights[layer]!, gz, block);
  }
  return grads;
}

/**
 * AdamW on one parameter, op for op as torch.optim.AdamW's single-tensor path:
 * p <- p * decay; m <- beta1 m + (1 - beta1) g; v <- beta2 v + (1 - beta2) g^2;
 * p <- p - step_size * m / (sqrt(v) / bc2_sqrt + eps). Outputs updatedName(...) of p, m, v.
 */
function appendAdamW(
  b: GraphBuilder,
  constants: Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'eps', string>,
  names: { param: string; m: string; v: string },
  grad: string,
): void {
  const decayed = b.node('Mul', [names.param, ADAMW_DECAY]);
  const m = b.node(
    'Add',
    [b.node('Mul', [names.m, constants.beta1]), b.node('Mul', [grad, constants.oneMinusBeta1])],
    {},
    updatedName(names.m),
  );
  const gSquared = b.node('Mul', [grad, grad]);
  const v = b.node(
    'Add',
    [b.node('Mul', [names.v, constants.beta2]), b.node('Mul', [gSquared, constants.oneMinusBeta2])],
    {},
    updatedName(names.v),
  );
  const denom = b.node('Add', [
    b.node('Div', [b.node('Sqrt', [v]), ADAMW_BC2_SQRT]),
    constants.eps,
  ]);
  const update = b.node('Div', [b.node('Mul', [m, ADAMW_STEP_SIZE]), denom]);
  b.node('Sub', [decayed, update], {}, updatedName(names.param));
}

function adamWConstants(b: GraphBuilder, c: AdamWConstants) {
  // 1 - beta is formed in float64 before rounding to float32, as torch forms it in Python
  return {
    beta1: b.scalar(c.beta1),
    oneMinusBeta1: b.scalar(1 - c.beta1),
    beta2: b.scalar(c.beta2),
    oneMinusBeta2: b.scalar(1 - c.beta2),
    eps: b.scalar(c.eps),
  };
}

function declareAdamWScalars(b: GraphBuilder): void {
  for (const name of [ADAMW_DECAY, ADAMW_STEP_SIZE, ADAMW_BC2_SQRT]) b.input(name, 'float32', []);
}

/**
 * Gradient graph (tests and diagnostics): inputs every paramName, TRAIN_INPUT,
 * TRAIN_TARGET; outputs TRAIN_LOSS and every gradName.
 */
export function buildArGradGraph(config: ArConfig, options: TrainGraphOptions = {}): Uint8Array {
  const block = graphBlock(config, options);
  const b = new GraphBuilder('ar_gradients');
  declareParams(b, config);
  const { trace, target } = appendModel(b, config, true, block);
  const gPrediction = appendMse(b, trace.prediction, target);
  const grads = appendBackward(b, config, trace, gPrediction, block);
  b.output(TRAIN_LOSS, 'float32', []);
  grads.forEach((g, layer) => {
    for (const kind of ['weight', 'bias'] as const) {
      const name = b.node('Identity', [g[kind]], {}, gradName(layer, kind));
      b.output(name, 'float32', paramShape(config, layer, kind));
    }
  });
  return b.build({ metadata: { 'normscope.ar.config': JSON.stringify(config) } });
}

/**
 * One training step: inputs every paramName, momentName('m'|'v', ...),
 * TRAIN_INPUT, TRAIN_TARGET and the AdamW scalars (adamWScalars); outputs
 * TRAIN_LOSS (of the parameters before the step) and updatedName(...) of every
 * parameter and moment.
 */
export function buildArTrainStepGraph(
  config: ArConfig,
  constants: AdamWConstants,
  options: TrainGraphOptions = {},
): Uint8Array {
  const block = graphBlock(config, options);
  const b = new GraphBuilder('ar_train_step');
  declareParams(b, config);
  for (const moment of ['m', 'v'] as const)
    for (let layer = 0; layer < config.layers; layer++)
      for (const kind of ['weight', 'bias'] as const)
        b.input(momentName(moment, layer, kind), 'float32', paramShape(config, layer, kind));
  declareAdamWScalars(b);
  const { trace, target } = appendModel(b, config, true, block);
  const gPrediction = appendMse(b, trace.prediction, target);
  const grads = appendBackward(b, config, trace, gPrediction, block);
  const c = adamWConstants(b, constants);
  b.output(TRAIN_LOSS, 'float32', []);
  grads.forEach((g, layer) => {
    for (const kind of ['weight', 'bias'] as const) {
      const names = {
        param: paramName(layer, kind),
        m: momentName('m', layer, kind),
        v: momentName('v', layer, kind),
      };
      appendAdamW(b, c, names, g[kind]);
      const shape = paramShape(config, layer, kind);
      for (const name of [names.param, names.m, names.v])
        b.output(updatedName(name), 'float32', shape);
    }
  });
  return b.build({ metadata: { 'normscope.ar.config': JSON.stringify(config) } });
}

/**
 * AdamW alone on one flat parameter of `size` values: inputs `param`, `grad`,
 * `m`, `v` [size] and the AdamW scalars; outputs updatedName of param, m, v.
 * The same ops as inside the training-step graph, exposed so they can be
 * checked against the float64 reference on identical float32 inputs.
 */
export function buildAdamWGraph(size: number, constants: AdamWConstants): Uint8Array {
  const b = new GraphBuilder('adamw');
  const names = {
    param: b.input('param', 'float32', [size]),
    m: b.input('m', 'float32', [size]),
    v: b.input('v', 'float32', [size]),
  };
  const grad = b.input('grad', 'float32', [size]);
  declareAdamWScalars(b);
  appendAdamW(b, adamWConstants(b, constants), names, grad);
  for (const name of [names.param, names.m, names.v])
    b.output(updatedName(name), 'float32', [size]);
  return b.build();
}

/**
 * Validation loss graph: inputs every paramName and TRAIN_INPUT (clean
 * features, which are also the target); output SAMPLE_SSE [B], the sum of
 * squared prediction errors per sample, so partial batches average exactly.
 */
export function buildArLossGraph(config: ArConfig, options: TrainGraphOptions = {}): Uint8Array {
  const b = new GraphBuilder('ar_loss');
  declareParams(b, config);
  const { trace, target } = appendModel(b, config, false, graphBlock(config, options));
  const diff = b.node('Sub', [trace.prediction, target]);
  b.node(
    'ReduceSum',
    [b.node('Mul', [diff, diff]), b.int64Tensor('sse.axes', [1, 2, 3])],
    { keepdims: { int: 0 } },
    SAMPLE_SSE,
  );
  b.output(SAMPLE_SSE, 'float32', ['batch']);
  return b.build({ metadata: { 'normscope.ar.config': JSON.stringify(config) } });
}
