/**
 * The manifest recorded with a backbone: how to feed it and read its patch
 * features (probe.ts finds out). Kept apart from the probe so that code in the
 * main process can read manifests without loading ONNX Runtime.
 */
import { z } from 'zod';

export const BackboneManifestSchema = z.object({
  family: z.enum(['dinov3', 'dinov2', 'vit', 'standin']),
  name: z.string(),
  inputName: z.string(),
  outputName: z.string(),
  /** tokens: [B, T, C] with `prefixTokens` leading tokens; channels: [B, C, h, w]. */
  outputLayout: z.enum(['tokens', 'channels']),
  patchSize: z.number().int().positive(),
  embedDim: z.number().int().positive(),
  prefixTokens: z.number().int().nonnegative(),
  /** Side of the square input the model is run at (448 unless the model fixes another size). */
  inputSize: z.number().int().positive(),
  /** Side of the patch grid at inputSize (28 for 16-px patches at 448). */
  grid: z.number().int().positive(),
  dynamicSize: z.boolean(),
  preprocessing: z.object({
    mean: z.array(z.number()).length(3),
    std: z.array(z.number()).length(3),
    size: z.number().int().positive(),
  }),
  /** Hex SHA-256 of the .onnx file's bytes. */
  sha256: z.string(),
  source: z.string(),
  licenceNote: z.string(),
  /** A generated random-weight model: never for clinical use. */
  standIn: z.boolean(),
  /** What a user should know about this model's layout (stand-in construction, a grid other than 28x28). */
  notes: z.array(z.string()),
});

export type BackboneManifest = z.output<typeof BackboneManifestSchema>;
