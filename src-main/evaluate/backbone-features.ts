/**
 * Patch features of 8-bit grey images from an ONNX backbone, for `evaluate`:
 * the paper's PNG preprocessing (ml/preprocess.ts preprocessPng8), the
 * backbone in ONNX Runtime, prefix tokens dropped (ml/backbone/probe.ts
 * extractPatchGrid).
 *
 * Runs in the calling process, not in the supervised worker: `evaluate` is a
 * one-shot headless command with no database or window to protect, so a
 * backbone that crashes ONNX Runtime ends that command with a failure exit,
 * which is all the worker would achieve, without shipping every feature grid
 * across a process boundary.
 */
import { NormscopeError } from '../api/errors';
import { extractPatchGrid, probeBackbone } from '../ml/backbone/probe';
import type { BackboneManifest } from '../ml/backbone/probe';
import { closeSession, createSession, runFloat32 } from '../ml/onnx/session';
import type { OnnxSession, SessionSettings } from '../ml/onnx/session';
import type { GreyImage8 } from '../ml/phantom/bmad';
import { preprocessPng8 } from '../ml/preprocess';

export interface BackboneFeatures {
  /** The probed manifest with `inputSize` and `grid` as run (they differ from the probe's for --input-size). */
  readonly manifest: BackboneManifest;
  readonly session: OnnxSession;
  /** Feature channels C and grid side g of every grid returned. */
  readonly channels: number;
  readonly grid: number;
  /**
   * Features of `images`, one [C, g, g] float32 grid each, with the time spent
   * preprocessing and in the backbone (ms, the whole batch).
   */
  extract(images: readonly GreyImage8[]): Promise<{
    grids: Float32Array[];
    preprocessMs: number;
    backboneMs: number;
  }>;
  close(): Promise<void>;
}

export interface OpenBackboneOptions {
  /**
   * Side of the square input, a multiple of the patch size; only for backbones
   * with a dynamic spatial size. Default the manifest's (448 for DINOv3).
   */
  inputSize?: number;
  session?: SessionSettings;
}

function resolveInputSize(manifest: BackboneManifest, wanted: number | undefined): number {
  if (wanted === undefined || wanted === manifest.inputSize) return manifest.inputSize;
  if (!manifest.dynamicSize) {
    throw new NormscopeError(
      'InvalidRequest',
      `the backbone ${manifest.name} has a fixed input size of ${manifest.inputSize} px; it cannot run at ${wanted}`,
    );
  }
  if (!Number.isInteger(wanted) || wanted <= 0 || wanted % manifest.patchSize !== 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `input size ${wanted} is not a positive multiple of the backbone's ${manifest.patchSize}-px patches`,
    );
  }
  return wanted;
}

/** Probes the backbone file (refusing what is not a ViT patch-token model) and opens it for feature extraction. */
export async function openBackboneFeatures(
  backbonePath: string,
  options: OpenBackboneOptions = {},
): Promise<BackboneFeatures> {
  const probed = await probeBackbone(backbonePath, { session: options.session });
  const inputSize = resolveInputSize(probed, options.inputSize);
  const grid = inputSize / probed.patchSize;
  const manifest: BackboneManifest = {
    ...probed,
    inputSize,
    grid,
    preprocessing: { ...probed.preprocessing, size: inputSize },
  };
  const session = await createSession(backbonePath, options.session);
  const channels = manifest.embedDim;
  return {
    manifest,
    session,
    channels,
    grid,
    async extract(images) {
      const t0 = performance.now();
      const plane = 3 * inputSize * inputSize;
      const batch = new Float32Array(images.length * plane);
      images.forEach((image, i) => {
        batch.set(preprocessPng8(image.pixels, image.width, image.height, inputSize), i * plane);
      });
      const t1 = performance.now();
      const out = await runFloat32(session, {
        [manifest.inputName]: { data: batch, dims: [images.length, 3, inputSize, inputSize] },
      });
      const t2 = performance.now();
      const output = out[manifest.outputName];
      if (!output) {
        throw new NormscopeError(
          'Internal',
          `backbone ${manifest.name} returned no output named ${manifest.outputName}`,
        );
      }
      const grids = images.map((_, i) => extractPatchGrid(output, manifest, i));
      for (const [i, g] of grids.entries()) {
        if (!g.every(Number.isFinite)) {
          throw new NormscopeError(
            'Refused',
            `backbone ${manifest.name} produced NaN or Inf features for image ${i} of a batch; no score is made from them`,
          );
        }
      }
      return { grids, preprocessMs: t1 - t0, backboneMs: t2 - t1 };
    },
    close: () => closeSession(session),
  };
}
