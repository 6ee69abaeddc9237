/**
 * Backbone probing: given an ONNX file the user provides (or a stand-in),
 * find out how to feed it and how to read its patch features, by inspecting
 * the protobuf and running one dummy image, and record that in a manifest.
 * Anything that is not a ViT-style patch-token model is refused here, before
 * it can reach scoring.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { NormscopeError } from '../../api/errors';
import { createRng } from '../random';
import { DATA_LOCATION_EXTERNAL, decodeModel, int64ToNumber, TensorDataType } from '../onnx/proto';
import type { OnnxTypes } from '../onnx/proto';
import { closeSession, createSession, runFloat32 } from '../onnx/session';
import type { FloatTensor, SessionSettings } from '../onnx/session';
import { BackboneManifestSchema } from './manifest';
import type { BackboneManifest } from './manifest';
import { STANDIN_METADATA } from './standin';

/** The size the method feeds the backbone (ARCHITECTURE.md): 448 px, a 28x28 grid of 16-px patches. */
export const DEFAULT_INPUT_SIZE = 448;
const PATCH_SIZES = [16, 14, 8] as const;
/** More leading tokens than this is not a ViT's CLS/register prefix. */
const MAX_PREFIX_TOKENS = 16;
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

export { BackboneManifestSchema };
export type { BackboneManifest };

export interface ProbeOptions {
  /** Display name; default the file name without extension, or the graph's name. */
  name?: string;
  /** Where the model came from (recorded as is); default the path, or "bytes". */
  source?: string;
  session?: SessionSettings;
}

/**
 * Probes a backbone given as the bytes of an .onnx file or its path.
 * Throws NormscopeError('InvalidRequest') for a file that is not ONNX, not a
 * ViT-style patch-token model, refers to external data outside its folder,
 * cannot be loaded, or outputs NaN/Inf; 'Unavailable' for a missing file.
 */
export async function probeBackbone(
  model: Uint8Array | string,
  options: ProbeOptions = {},
): Promise<BackboneManifest> {
  const path = typeof model === 'string' ? model : null;
  const label = path ?? 'the model';
  if (path !== null && !existsSync(path))
    throw new NormscopeError('Unavailable', `backbone file not found: ${path}`);
  const bytes = path !== null ? new Uint8Array(readFileSync(path)) : (model as Uint8Array);

  const proto = parseOnnx(bytes, label);
  const graph = proto.graph!;
  checkExternalData(graph, path === null ? null : dirname(resolve(path)), label);
  const input = findImageInput(graph, label);
  const metadata = Object.fromEntries(
    proto.metadataProps.map((entry) => [entry.key ?? '', entry.value ?? '']),
  );
  const standIn = metadata[STANDIN_METADATA.marker] === 'true';

  let session;
  try {
    session = await createSession(path ?? bytes, options.session);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NormscopeError(
      'InvalidRequest',
      `${label} is not loadable by ONNX Runtime: ${reason}`,
    );
  }
  let outputs: Record<string, FloatTensor>;
  try {
    outputs = await runFloat32(session, { [input.name]: dummyImage(input.size) });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NormscopeError(
      'InvalidRequest',
      `${label} failed on a ${input.size}x${input.size} test image: ${reason}`,
    );
  } finally {
    await closeSession(session);
  }

  const outputName = pickOutput(graph, outputs, label);
  const output = outputs[outputName]!;
  const layout = readLayout(output, input.size, label);
  if (!output.data.every(Number.isFinite)) {
    throw new NormscopeError(
      'InvalidRequest',
      `${label} produced NaN or Inf features on a test image; it cannot be used for scoring`,
    );
  }

  const name =
    options.name ?? (path !== null ? basename(path, extname(path)) : graph.name || 'backbone');
  const family = standIn
    ? 'standin'
    : guessFamily(
        `${name} ${proto.docString} ${graph.name}`,
        layout.patchSize,
        layout.prefixTokens,
      );
  return {
    family,
    name,
    inputName: input.name,
    outputName,
    ...layout,
    inputSize: input.size,
    dynamicSize: input.dynamic,
    preprocessing: { mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD], size: input.size },
    sha256: createHash('sha256').update(bytes).digest('hex'),
    source: options.source ?? path ?? 'bytes',
    licenceNote: licenceNote(family),
    standIn,
    notes: probeNotes(metadata, standIn, layout.grid, input.size),
  };
}

/**
 * The patch features of one image of a backbone output, prefix tokens dropped.
 * @param output `manifest.outputName` as returned by ONNX Runtime: [B, T, C] (tokens) or [B, C, g, g] (channels)
 * @returns [C, g, g] float32, channel-major (g = manifest.grid)
 */
export function extractPatchGrid(
  output: FloatTensor,
  manifest: BackboneManifest,
  batchIndex = 0,
): Float32Array {
  const { embedDim: C, grid: g, prefixTokens } = manifest;
  const plane = g * g;
  const expected = manifest.outputLayout === 'tokens' ? [prefixTokens + plane, C] : [C, g, g];
  if (
    output.dims.length !== expected.length + 1 ||
    expected.some((d, i) => output.dims[i + 1] !== d)
  ) {
    throw new NormscopeError(
      'Internal',
      `backbone output [${output.dims.join(', ')}] does not match its manifest ([B, ${expected.join(', ')}])`,
    );
  }
  if (batchIndex < 0 || batchIndex >= output.dims[0]!)
    throw new RangeError(`batch index ${batchIndex} out of range`);
  if (manifest.outputLayout === 'channels')
    return output.data.slice(batchIndex * C * plane, (batchIndex + 1) * C * plane);
  const grid = new Float32Array(C * plane);
  const base = (batchIndex * (prefixTokens + plane) + prefixTokens) * C;
  for (let p = 0; p < plane; p++) {
    const token = base + p * C;
    for (let c = 0; c < C; c++) grid[c * plane + p] = output.data[token + c]!;
  }
  return grid;
}

function parseOnnx(bytes: Uint8Array, label: string): OnnxTypes.ModelProto {
  let proto: OnnxTypes.ModelProto;
  try {
    proto = decodeModel(bytes);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NormscopeError(
      'InvalidRequest',
      `${label} is not an ONNX model (its bytes are not an ONNX protobuf: ${reason})`,
    );
  }
  // protobuf parsing is lenient: text or other binaries can parse into an empty message
  const graph = proto.graph;
  if (
    int64ToNumber(proto.irVersion) <= 0 ||
    !graph ||
    !graph.node?.length ||
    !graph.output?.length
  ) {
    throw new NormscopeError(
      'InvalidRequest',
      `${label} is not an ONNX model (no IR version, graph, nodes or outputs)`,
    );
  }
  return proto;
}

/** Refuses tensors stored in files outside the model's own folder (or any external data for a model given as bytes). */
function checkExternalData(
  graph: OnnxTypes.IGraphProto,
  folder: string | null,
  label: string,
): void {
  const tensors: OnnxTypes.ITensorProto[] = [...(graph.initializer ?? [])];
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) if (attribute.t) tensors.push(attribute.t);
  }
  for (const tensor of tensors) {
    if (tensor.dataLocation !== DATA_LOCATION_EXTERNAL) continue;
    const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value ?? '';
    if (folder === null) {
      throw new NormscopeError(
        'InvalidRequest',
        `${label} stores tensor ${tensor.name} in an external file (${location}); import it from its file path`,
      );
    }
    const target = resolve(folder, location);
    const inside = relative(folder, target);
    if (location === '' || isAbsolute(location) || inside.startsWith('..') || isAbsolute(inside)) {
      throw new NormscopeError(
        'InvalidRequest',
        `${label} refers to external data outside its own folder (tensor ${tensor.name}: "${location}"); refused`,
      );
    }
    if (!existsSync(target)) {
      throw new NormscopeError(
        'Unavailable',
        `${label}: external data file ${location} (tensor ${tensor.name}) is missing`,
      );
    }
  }
}

interface ImageInput {
  name: string;
  size: number;
  dynamic: boolean;
}

/** The one 4-D float input [B, 3, H, W]; its spatial size fixed or dynamic. */
function findImageInput(graph: OnnxTypes.IGraphProto, label: string): ImageInput {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  const images = inputs.filter(
    (i) =>
      i.type?.tensorType?.elemType === TensorDataType.FLOAT &&
      i.type.tensorType.shape?.dim?.length === 4,
  );
  if (images.length !== 1) {
    throw new NormscopeError(
      'InvalidRequest',
      `${label} is not an image backbone: expected one float input of shape [B, 3, H, W], found ${describeInputs(inputs)}`,
    );
  }
  if (inputs.length > 1) {
    throw new NormscopeError(
      'InvalidRequest',
      `${label} needs inputs besides the image (${describeInputs(inputs)}); not supported`,
    );
  }
  const image = images[0]!;
  const dims = image.type!.tensorType!.shape!.dim!.map((d) =>
    d.dimValue != null && int64ToNumber(d.dimValue) > 0 ? int64ToNumber(d.dimValue) : null,
  );
  if (dims[1] !== null && dims[1] !== 3) {
    throw new NormscopeError(
      'InvalidRequest',
      `${label} takes ${dims[1]} image channels; a DINO-style backbone takes 3`,
    );
  }
  const [height, width] = [dims[2], dims[3]];
  if (height === null || width === null || height === undefined || width === undefined) {
    return { name: image.name!, size: DEFAULT_INPUT_SIZE, dynamic: true };
  }
  if (height !== width)
    throw new NormscopeError(
      'InvalidRequest',
      `${label} takes ${height}x${width} images; only square inputs are supported`,
    );
  return { name: image.name!, size: height, dynamic: false };
}

function describeInputs(inputs: OnnxTypes.IValueInfoProto[]): string {
  if (inputs.length === 0) return 'no inputs';
  return inputs
    .map((i) => {
      const dims = i.type?.tensorType?.shape?.dim ?? [];
      return `${i.name} [${dims.map((d) => (d.dimParam ? d.dimParam : int64ToNumber(d.dimValue))).join(', ')}]`;
    })
    .join(', ');
}

/** A deterministic normalised-noise image [1, 3, size, size]. */
function dummyImage(size: number): FloatTensor {
  const rng = createRng(448);
  return {
    data: Float32Array.from({ length: 3 * size * size }, () => rng.normal()),
    dims: [1, 3, size, size],
  };
}

/** `last_hidden_state` when present, else the first 3-D or 4-D output. */
function pickOutput(
  graph: OnnxTypes.IGraphProto,
  outputs: Record<string, FloatTensor>,
  label: string,
): string {
  if (outputs.last_hidden_state) return 'last_hidden_state';
  for (const declared of graph.output ?? []) {
    const rank = outputs[declared.name ?? '']?.dims.length;
    if (rank === 3 || rank === 4) return declared.name!;
  }
  const shapes = Object.entries(outputs).map(([name, t]) => `${name} [${t.dims.join(', ')}]`);
  throw new NormscopeError(
    'InvalidRequest',
    `${label} has no patch-feature output ([B, T, C] or [B, C, h, w]); outputs: ${shapes.join(', ')}`,
  );
}

type Layout = Pick<
  BackboneManifest,
  'outputLayout' | 'patchSize' | 'embedDim' | 'prefixTokens' | 'grid'
>;

/** Patch size, width and prefix count from the output shape at input size `size`. */
function readLayout(output: FloatTensor, size: number, label: string): Layout {
  const dims = output.dims;
  const shape = `[${dims.join(', ')}]`;
  if (dims.length === 3) {
    const [, tokens, embedDim] = dims as [number, number, number];
    for (const patchSize of PATCH_SIZES) {
      if (size % patchSize !== 0) continue;
      const grid = size / patchSize;
      const prefixTokens = tokens - grid * grid;
      if (prefixTokens >= 0 && prefixTokens <= MAX_PREFIX_TOKENS)
        return { outputLayout: 'tokens', patchSize, embedDim, prefixTokens, grid };
    }
    throw new NormscopeError(
      'InvalidRequest',
      `${label} is not a ViT-style patch-token model: output ${shape} at ${size}x${size} matches no grid of ${PATCH_SIZES.join('/')}-px patches`,
    );
  }
  if (dims.length === 4) {
    const [, embedDim, h, w] = dims as [number, number, number, number];
    const patchSize = h === w && size % h === 0 ? size / h : 0;
    if ((PATCH_SIZES as readonly number[]).includes(patchSize)) {
      return { outputLayout: 'channels', patchSize, embedDim, prefixTokens: 0, grid: h };
    }
    throw new NormscopeError(
      'InvalidRequest',
      `${label} is not a ViT-style patch-token model: output ${shape} at ${size}x${size} is not a grid of ${PATCH_SIZES.join('/')}-px patches`,
    );
  }
  throw new NormscopeError(
    'InvalidRequest',
    `${label} is not a patch-token model: output ${shape} is neither [B, T, C] nor [B, C, h, w]`,
  );
}

function guessFamily(
  hint: string,
  patchSize: number,
  prefixTokens: number,
): BackboneManifest['family'] {
  const text = hint.toLowerCase();
  if (text.includes('dinov3')) return 'dinov3';
  if (text.includes('dinov2')) return 'dinov2';
  if (patchSize === 16 && prefixTokens === 5) return 'dinov3';
  if (patchSize === 14) return 'dinov2';
  return 'vit';
}

function probeNotes(
  metadata: Record<string, string>,
  standIn: boolean,
  grid: number,
  size: number,
): string[] {
  const notes: string[] = [];
  if (standIn) {
    const preset = metadata[STANDIN_METADATA.preset] ?? 'unknown';
    const seed = metadata[STANDIN_METADATA.seed] ?? 'unknown';
    notes.push(`stand-in preset ${preset}, seed ${seed}: random weights, not a trained DINOv3`);
    const position = metadata[STANDIN_METADATA.positionEmbedding];
    if (position) notes.push(`position embedding: ${position}`);
  }
  if (grid !== DEFAULT_INPUT_SIZE / 16) {
    notes.push(
      `patch grid is ${grid}x${grid} at ${size}x${size}, not the method's 28x28 at 448x448`,
    );
  }
  return notes;
}

function licenceNote(family: BackboneManifest['family']): string {
  switch (family) {
    case 'standin':
      return 'Generated by Normscope from a seed: random weights, no licence restrictions, NOT for clinical use.';
    case 'dinov3':
      return 'DINOv3 weights are released by Meta under the DINOv3 License; the site must hold and follow it.';
    case 'dinov2':
      return 'DINOv2 weights are released by Meta under Apache-2.0; check the terms of the export you imported.';
    case 'vit':
      return 'Unknown ViT export: check the licence of its weights before clinical use.';
  }
}
