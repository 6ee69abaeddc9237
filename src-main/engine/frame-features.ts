/**
 * From stored DICOM frames to backbone features, the one pipeline that
 * training and scoring share: decode (dicom/), preprocess with the model's
 * spec (ml/preprocess.ts preprocessFrame), run the backbone in batches, cut
 * the patch grid out of its output (extractPatchGrid), and find the
 * foreground patches (ml/foreground.ts on the unit-grey frame). It runs in the
 * supervised worker (worker-tasks.ts); tests run it in-process as the
 * reference.
 */
import { readFile } from 'node:fs/promises';
import { NormscopeError } from '../api/errors';
import { decodeFrame } from '../dicom/decode';
import { applyPalette, readPalette } from '../dicom/palette';
import { parseDicom } from '../dicom/parse';
import type { ParsedDicom } from '../dicom/parse';
import { throwIfCancelled } from '../jobs/cancellation';
import { extractPatchGrid } from '../ml/backbone/probe';
import type { BackboneManifest } from '../ml/backbone/manifest';
import { foregroundMask, maskToPatchGrid } from '../ml/foreground';
import { frameToUnitGrey, preprocessFrame } from '../ml/preprocess';
import type { FrameMeta, PreprocessingSpec, StoredPixels } from '../ml/preprocess';
import { runFloat32 } from '../ml/onnx/session';
import { manifestAtSize } from './backbone-manifest';
import type { OnnxSession } from '../ml/onnx/session';

/** One frame of a DICOM file on disk (a content-store copy or a file referenced in place). */
export interface FrameSource {
  path: string;
  /** 0-based frame of a multi-frame instance */
  frame: number;
}

/** Features of one frame. */
export interface FrameFeatures {
  /** [channels, grid, grid] float32, channel-major */
  features: Float32Array;
  /** [grid, grid], 1 where at least half the patch is foreground (body or head) */
  foreground: Uint8Array;
}

/** Stored values and what preprocessing needs to know about them; palette colour becomes 8-bit RGB. */
export async function decodeForPreprocessing(
  parsed: ParsedDicom,
  frame: number,
): Promise<{ stored: StoredPixels; meta: FrameMeta }> {
  const h = parsed.header;
  if (!Number.isInteger(frame) || frame < 0 || frame >= h.numberOfFrames) {
    throw new NormscopeError(
      'InvalidRequest',
      `${parsed.source}: frame ${frame} does not exist (it has ${h.numberOfFrames})`,
    );
  }
  const decoded = await decodeFrame(parsed, frame);
  const window =
    h.windowCenter !== undefined && h.windowWidth !== undefined
      ? { windowCenter: h.windowCenter, windowWidth: h.windowWidth }
      : {};
  if (decoded.photometric === 'PALETTE COLOR') {
    const lut = readPalette(parsed);
    const shift = Math.max(0, lut.bits - 8);
    const rgb = Uint8Array.from(applyPalette(decoded.data, lut), (v) => v >> shift);
    return {
      stored: rgb,
      meta: {
        rows: decoded.rows,
        columns: decoded.columns,
        samplesPerPixel: 3,
        photometric: 'RGB',
        slope: 1,
        intercept: 0,
        bitsStored: 8,
      },
    };
  }
  return {
    stored: decoded.data,
    meta: {
      rows: decoded.rows,
      columns: decoded.columns,
      samplesPerPixel: decoded.samplesPerPixel,
      // decoding can change what the samples mean (JPEG colour comes back as RGB)
      photometric: decoded.photometric,
      slope: h.rescaleSlope,
      intercept: h.rescaleIntercept,
      ...window,
      // decoded samples are always interleaved
      planarConfiguration: 0,
      bitsStored: h.bitsStored,
    },
  };
}

/**
 * Backbone input [3, size, size] float32 and foreground patch mask [grid, grid]
 * of one decoded frame.
 */
export function prepareFrame(
  stored: StoredPixels,
  meta: FrameMeta,
  spec: PreprocessingSpec,
  grid: number,
): { input: Float32Array; foreground: Uint8Array } {
  const input = preprocessFrame(stored, meta, spec);
  const grey = frameToUnitGrey(stored, meta, spec);
  const mask = foregroundMask(grey, meta.columns, meta.rows);
  return { input, foreground: maskToPatchGrid(mask, meta.columns, meta.rows, grid, grid) };
}

export interface ExtractOptions {
  /** frames per backbone run */
  batchSize: number;
  signal?: AbortSignal;
  /** after each batch: frames done so far */
  onBatch?: (done: number) => void;
}

/**
 * Features of `frames`, in order, with the backbone `session` (loaded from the
 * model `manifest` describes). Files are read once per call even when several
 * of their frames are asked for. Throws Refused when the backbone gives NaN or
 * Inf for a frame (never cached, never scored), InvalidRequest for a frame
 * that cannot be decoded or preprocessed (the message names the file).
 */
export async function extractFrameFeatures(
  session: OnnxSession,
  manifest: BackboneManifest,
  spec: PreprocessingSpec,
  frames: readonly FrameSource[],
  options: ExtractOptions,
): Promise<FrameFeatures[]> {
  const atSize = manifestAtSize(manifest, spec);
  const size = atSize.inputSize;
  const plane = 3 * size * size;
  const parsedFiles = new Map<string, ParsedDicom>();
  const results: FrameFeatures[] = [];
  for (let start = 0; start < frames.length; start += options.batchSize) {
    throwIfCancelled(options.signal, 'feature extraction');
    const batch = frames.slice(start, start + options.batchSize);
    const inputs = new Float32Array(batch.length * plane);
    const masks: Uint8Array[] = [];
    for (const [index, source] of batch.entries()) {
      let parsed = parsedFiles.get(source.path);
      if (!parsed) {
        parsed = parseDicom(await readFile(source.path), source.path);
        parsedFiles.set(source.path, parsed);
      }
      const { stored, meta } = await decodeForPreprocessing(parsed, source.frame);
      const prepared = prepareFrame(stored, meta, spec, atSize.grid);
      inputs.set(prepared.input, index * plane);
      masks.push(prepared.foreground);
    }
    const outputs = await runFloat32(session, {
      [atSize.inputName]: { data: inputs, dims: [batch.length, 3, size, size] },
    });
    const output = outputs[atSize.outputName];
    if (!output)
      throw new NormscopeError(
        'Internal',
        `backbone ${atSize.name} gave no output ${atSize.outputName}`,
      );
    for (const [index, source] of batch.entries()) {
      const features = extractPatchGrid(output, atSize, index);
      if (!features.every(Number.isFinite)) {
        throw new NormscopeError(
          'Refused',
          `backbone ${atSize.name} gave NaN or Inf features for frame ${source.frame} of ${source.path}; they are never cached or scored`,
        );
      }
      results.push({ features, foreground: masks[index]! });
    }
    // files are not needed again once the frames after them in the list are done
    if (parsedFiles.size > 8) parsedFiles.clear();
    options.onBatch?.(results.length);
  }
  return results;
}
