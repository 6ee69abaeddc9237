/**
 * The stand-in backbone: a seeded random ViT with DINOv3's interface, built
 * from this project's code because the real weights cannot be downloaded here
 * (ARCHITECTURE.md). Its features carry image content (every layer is a fixed
 * random function of the pixels) but mean nothing clinically.
 *
 * Interface, as the public DINOv3 ONNX exports:
 *   input  `pixel_values`      [B, 3, H, W] float32, H and W multiples of 16 (448 by default)
 *   output `last_hidden_state` [B, 5 + (H/16)(W/16), C]: CLS, 4 registers, then patch tokens in raster order
 * Architecture: 16x16 stride-16 Conv patch embedding; pre-norm transformer
 * blocks (LayerNorm, multi-head self-attention, LayerNorm, MLP with exact
 * erf GELU, residuals; no LayerScale); final LayerNorm (eps 1e-6).
 * Difference from DINOv3: learned absolute position embeddings for the
 * 28x28 grid, added to patch tokens only and resized bilinearly in the graph
 * for other input sizes, where DINOv3 uses RoPE. Spatial size is dynamic.
 */
import { createRng } from '../random';
import type { Rng } from '../random';
import { GraphBuilder } from '../onnx/graph-builder';

export const STANDIN_INPUT = 'pixel_values';
export const STANDIN_OUTPUT = 'last_hidden_state';
export const STANDIN_PATCH = 16;
export const STANDIN_REGISTERS = 4;
/** Grid side the position embeddings are learned for (448 / 16). */
export const STANDIN_GRID = 28;

export interface StandInDims {
  embedDim: number;
  blocks: number;
  heads: number;
  mlpDim: number;
}

/** vits16: exactly ViT-S/16 (DINOv3 ViT-S/16's widths); tiny: small enough for unit tests. */
export const STANDIN_PRESETS = {
  tiny: { embedDim: 32, blocks: 2, heads: 2, mlpDim: 128 },
  vits16: { embedDim: 384, blocks: 12, heads: 6, mlpDim: 1536 },
} as const satisfies Record<string, StandInDims>;

export type StandInPreset = keyof typeof STANDIN_PRESETS;

/** Keys written into the model's metadata_props; the probe recognises a stand-in by them. */
export const STANDIN_METADATA = {
  marker: 'normscope.standin',
  preset: 'normscope.standin.preset',
  seed: 'normscope.standin.seed',
  positionEmbedding: 'normscope.standin.position_embedding',
} as const;

export interface StandInOptions {
  preset: StandInPreset;
  seed: number;
  /**
   * Drop the 5 prefix tokens from the output, as some third-party exports do
   * (output [B, N, C]). Default false.
   */
  dropPrefixTokens?: boolean;
}

const LAYER_NORM_EPS = 1e-6;

/** Builds the stand-in as the bytes of an .onnx file; the same preset and seed give the same bytes. */
export function buildStandInBackbone(options: StandInOptions): Uint8Array {
  const dims: StandInDims = STANDIN_PRESETS[options.preset];
  if (dims.embedDim % dims.heads !== 0)
    throw new RangeError('embedDim must be a multiple of heads');
  const rng = createRng(options.seed);
  const g = new GraphBuilder(`normscope_standin_${options.preset}`);
  const C = dims.embedDim;
  const prefixCount = 1 + STANDIN_REGISTERS;

  const pixels = g.input(STANDIN_INPUT, 'float32', ['batch', 3, 'height', 'width']);

  // patch embedding: [B, 3, H, W] -> [B, C, h, w]
  const patchFanIn = 3 * STANDIN_PATCH * STANDIN_PATCH;
  const patchWeight = g.floatTensor(
    'patch_embed.weight',
    normal(rng, C * patchFanIn, 1 / Math.sqrt(patchFanIn)),
    [C, 3, STANDIN_PATCH, STANDIN_PATCH],
  );
  const patchBias = g.floatTensor('patch_embed.bias', new Float32Array(C), [C]);
  const patches = g.node('Conv', [pixels, patchWeight, patchBias], {
    kernel_shape: { ints: [STANDIN_PATCH, STANDIN_PATCH] },
    strides: { ints: [STANDIN_PATCH, STANDIN_PATCH] },
  });

  // position embeddings [1, C, 28, 28], resized to the actual grid (identity at 448)
  const position = g.floatTensor('pos_embed', normal(rng, C * STANDIN_GRID * STANDIN_GRID, 0.02), [
    1,
    C,
    STANDIN_GRID,
    STANDIN_GRID,
  ]);
  const patchShape = g.node('Shape', [patches]);
  const gridSize = g.node('Slice', [patchShape, g.int64s([2]), g.int64s([4])]);
  const positionSize = g.node('Concat', [g.int64s([1, C]), gridSize], { axis: { int: 0 } });
  const resizedPosition = g.node('Resize', [position, '', '', positionSize], {
    mode: { string: 'linear' },
    coordinate_transformation_mode: { string: 'half_pixel' },
  });
  const placed = g.node('Add', [patches, resizedPosition]);
  const flat = g.node('Reshape', [placed, g.int64s([0, C, -1])]);
  const patchTokens = g.node('Transpose', [flat], { perm: { ints: [0, 2, 1] } }); // [B, N, C]

  // CLS + register tokens, broadcast over the batch: [B, 5, C]
  const prefix = g.floatTensor('prefix_tokens', normal(rng, prefixCount * C, 1), [
    1,
    prefixCount,
    C,
  ]);
  const batchSize = g.node('Slice', [patchShape, g.int64s([0]), g.int64s([1])]);
  const prefixShape = g.node('Concat', [batchSize, g.int64s([1, 1])], { axis: { int: 0 } });
  const prefixTokens = g.node('Expand', [prefix, prefixShape]);
  let x = g.node('Concat', [prefixTokens, patchTokens], { axis: { int: 1 } }); // [B, T, C]

  for (let block = 0; block < dims.blocks; block++)
    x = appendBlock(g, rng, dims, x, `blocks.${block}`);

  const outputName = options.dropPrefixTokens ? undefined : STANDIN_OUTPUT;
  let out = layerNorm(g, x, C, 'norm', outputName);
  if (options.dropPrefixTokens) {
    out = g.node(
      'Slice',
      [out, g.int64s([prefixCount]), g.int64s([Number.MAX_SAFE_INTEGER]), g.int64s([1])],
      {},
      STANDIN_OUTPUT,
    );
  }
  g.output(out, 'float32', ['batch', options.dropPrefixTokens ? 'patches' : 'tokens', C]);

  return g.build({
    producerName: 'normscope',
    docString: `Normscope stand-in backbone (${options.preset}, seed ${options.seed}): random weights, not for clinical use.`,
    metadata: {
      [STANDIN_METADATA.marker]: 'true',
      [STANDIN_METADATA.preset]: options.preset,
      [STANDIN_METADATA.seed]: String(options.seed),
      [STANDIN_METADATA.positionEmbedding]:
        'learned absolute 28x28, bilinearly resized for other sizes (DINOv3 uses RoPE)',
    },
  });
}

/** One pre-norm transformer block: x + Attn(LN(x)), then x + MLP(LN(x)). */
function appendBlock(
  g: GraphBuilder,
  rng: Rng,
  dims: StandInDims,
  x: string,
  name: string,
): string {
  const C = dims.embedDim;
  const headDim = C / dims.heads;

  const h = layerNorm(g, x, C, `${name}.norm1`);
  const qkv = linear(g, rng, h, C, 3 * C, `${name}.attn.qkv`); // [B, T, 3C]
  const split = g.node('Reshape', [qkv, g.int64s([0, 0, 3, dims.heads, headDim])]);
  const heads = g.node('Transpose', [split], { perm: { ints: [2, 0, 3, 1, 4] } }); // [3, B, heads, T, hd]
  const pick = (i: number): string =>
    g.node('Gather', [heads, g.int64Tensor(`${name}.attn.index${i}`, [i], [])], {
      axis: { int: 0 },
    });
  const q = g.node('Mul', [pick(0), g.scalar(1 / Math.sqrt(headDim))]);
  const kT = g.node('Transpose', [pick(1)], { perm: { ints: [0, 1, 3, 2] } });
  const v = pick(2);
  const weights = g.node('Softmax', [g.node('MatMul', [q, kT])], { axis: { int: -1 } }); // [B, heads, T, T]
  const context = g.node('Transpose', [g.node('MatMul', [weights, v])], {
    perm: { ints: [0, 2, 1, 3] },
  });
  const merged = g.node('Reshape', [context, g.int64s([0, 0, C])]);
  const attention = linear(g, rng, merged, C, C, `${name}.attn.proj`);
  const afterAttention = g.node('Add', [x, attention]);

  const h2 = layerNorm(g, afterAttention, C, `${name}.norm2`);
  const hidden = gelu(g, linear(g, rng, h2, C, dims.mlpDim, `${name}.mlp.fc1`));
  const mlp = linear(g, rng, hidden, dims.mlpDim, C, `${name}.mlp.fc2`);
  return g.node('Add', [afterAttention, mlp]);
}

/** x @ W + b with W ~ N(0, 1/fan_in): keeps activations near unit scale through random layers. */
function linear(
  g: GraphBuilder,
  rng: Rng,
  x: string,
  inDim: number,
  outDim: number,
  name: string,
): string {
  const weight = g.floatTensor(
    `${name}.weight`,
    normal(rng, inDim * outDim, 1 / Math.sqrt(inDim)),
    [inDim, outDim],
  );
  const bias = g.floatTensor(`${name}.bias`, new Float32Array(outDim), [outDim]);
  return g.node('Add', [g.node('MatMul', [x, weight]), bias]);
}

function layerNorm(
  g: GraphBuilder,
  x: string,
  C: number,
  name: string,
  outputName?: string,
): string {
  const scale = g.floatTensor(`${name}.weight`, new Float32Array(C).fill(1), [C]);
  const bias = g.floatTensor(`${name}.bias`, new Float32Array(C), [C]);
  return g.node(
    'LayerNormalization',
    [x, scale, bias],
    { axis: { int: -1 }, epsilon: { float: LAYER_NORM_EPS } },
    outputName,
  );
}

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)); ONNX Runtime fuses this pattern into one Gelu kernel. */
function gelu(g: GraphBuilder, x: string): string {
  const erf = g.node('Erf', [g.node('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  const onePlus = g.node('Add', [erf, g.scalar(1)]);
  return g.node('Mul', [g.node('Mul', [x, onePlus]), g.scalar(0.5)]);
}

function normal(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}
