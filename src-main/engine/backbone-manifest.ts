/**
 * The manifest stored with an imported backbone: what the probe found
 * (ml/backbone/probe.ts) plus the external data files that were copied into
 * the content store with it, and where its ONNX file can be loaded from.
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { NormscopeError } from '../api/errors';
import { BackboneManifestSchema } from '../ml/backbone/manifest';
import type { BackboneManifest } from '../ml/backbone/manifest';
import type { PreprocessingSpec } from '../ml/preprocess';
import type { Backbone } from '../store/repositories/models-repository';
import type { Store } from '../store/store';

export const ExternalDataFile = z.object({
  /** the path the ONNX file names, relative to its folder */
  location: z.string().min(1),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
});
export type ExternalDataFile = z.infer<typeof ExternalDataFile>;

export const StoredBackboneManifest = BackboneManifestSchema.extend({
  /** tensors kept outside the .onnx file, in files of its own folder (none for most exports) */
  externalData: z.array(ExternalDataFile).default([]),
});
export type StoredBackboneManifest = z.output<typeof StoredBackboneManifest>;

/** The parsed manifest of a backbone record; throws InvalidRequest for one this version cannot read. */
export function backboneManifest(backbone: Backbone): StoredBackboneManifest {
  const parsed = StoredBackboneManifest.safeParse(backbone.manifest);
  if (!parsed.success) {
    throw new NormscopeError(
      'InvalidRequest',
      `backbone ${backbone.name} has a manifest this Normscope cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}; import it again`,
    );
  }
  return parsed.data;
}

/**
 * A path ONNX Runtime can load the backbone from. Without external data that
 * is the content store's copy. With external data, ONNX Runtime resolves the
 * data files next to the model by their relative names, which the content
 * store's layout cannot offer, so a folder `backbone-models/<sha256>/` beside
 * the content store holds links (copies where links fail) under those names.
 */
export async function backboneModelPath(
  store: Pick<Store, 'files'>,
  backbone: Backbone,
): Promise<string> {
  const manifest = backboneManifest(backbone);
  const stored = store.files.pathOf(backbone.fileSha256);
  if (manifest.externalData.length === 0) return stored;
  const folder = join(dirname(store.files.root), 'backbone-models', backbone.sha256);
  const model = join(folder, 'model.onnx');
  const wanted = [
    { target: model, source: stored },
    ...manifest.externalData.map((file) => ({
      target: join(folder, file.location),
      source: store.files.pathOf(file.sha256),
    })),
  ];
  for (const { target, source } of wanted) {
    if (existsSync(target)) continue;
    if (!existsSync(source)) {
      throw new NormscopeError(
        'Unavailable',
        `backbone ${backbone.name}: a stored file is missing (${source}); import it again`,
      );
    }
    await mkdir(dirname(target), { recursive: true });
    await link(source, target).catch(async () => {
      await rm(target, { force: true });
      await copyFile(source, target);
    });
  }
  return model;
}

/**
 * The manifest as the backbone runs at `spec.size`: a model with a dynamic
 * input size gives a grid of size / patch; a fixed-size model must be fed
 * its own size. Throws InvalidRequest when the spec does not fit the model.
 */
export function manifestAtSize(
  manifest: BackboneManifest,
  spec: PreprocessingSpec,
): BackboneManifest {
  if (spec.size === manifest.inputSize) return manifest;
  if (!manifest.dynamicSize) {
    throw new NormscopeError(
      'InvalidRequest',
      `backbone ${manifest.name} takes ${manifest.inputSize}x${manifest.inputSize} images; the preprocessing asks for ${spec.size}`,
    );
  }
  if (spec.size % manifest.patchSize !== 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `preprocessing size ${spec.size} is not a multiple of backbone ${manifest.name}'s ${manifest.patchSize}-px patches`,
    );
  }
  return { ...manifest, inputSize: spec.size, grid: spec.size / manifest.patchSize };
}
