/**
 * Exporting a model version to a bundle file and importing one. Exports are
 * written atomically (temp file in the target folder, fsync, then link or
 * rename), so a failed write (disk full) leaves no partial bundle, and an
 * existing file is only replaced when the caller says so.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ModelVersionInfo } from '../api/contract';
import { NormscopeError } from '../api/errors';
import { canonicalJson } from '../store/canonical-json';
import { sha256Hex } from '../store/content-store';
import type { Store } from '../store/store';
import { decodeBundle, encodeBundle } from './bundle';
import { toModelInfo } from './model-info';
import { modelConfigs } from '../engine/models';
import { decodeModelWeights } from '../engine/model-weights';
import type { ModelVersion } from '../store/repositories/models-repository';

type BundleStore = Pick<Store, 'models' | 'thresholds' | 'files' | 'audit' | 'transaction'>;

/** Writes `bytes` to `path` atomically; refuses an existing file unless `overwrite`. */
export async function writeFileAtomically(path: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  if (!overwrite && existsSync(path)) {
    throw new NormscopeError('Conflict', `${path} already exists; choose another name or allow overwriting`);
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (overwrite) {
      await rename(temp, path);
    } else {
      // link never replaces: a file created meanwhile is not clobbered
      await link(temp, path).catch(async (err: NodeJS.ErrnoException) => {
        // file systems without hard links (FAT, some shares): the check above has to do
        if (err.code !== 'EPERM' && err.code !== 'ENOTSUP' && err.code !== 'ENOSYS') throw err;
        await rename(temp, path);
      });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new NormscopeError('Conflict', `${path} already exists; choose another name or allow overwriting`);
    }
    throw new NormscopeError('Unavailable', `could not write ${path}: ${(err as Error).message}`);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Exports model version `id` with its current thresholds to the bundle file `out`. */
export async function exportModel(
  store: BundleStore,
  id: string,
  out: string,
  overwrite: boolean,
  actor: string,
): Promise<{ path: string; bytes: number; sha256: string }> {
  const version = store.models.getModelVersion(id);
  if (!version) throw new NormscopeError('NotFound', `model version ${id} does not exist`);
  const backbone = store.models.getBackbone(version.backboneId);
  if (!backbone) throw new NormscopeError('Internal', `model version ${id} names a missing backbone`);
  const weights = await store.files.read(version.weightsSha256);
  const threshold = store.thresholds.current(id);
  const bytes = encodeBundle(
    {
      exportedAt: new Date().toISOString(),
      model: {
        id: version.id,
        name: version.name,
        createdAt: version.createdAt,
        createdBy: version.createdBy,
        arConfig: version.arConfig,
        preprocessingVersion: version.preprocessingVersion,
        preprocessing: version.preprocessing,
        provenance: version.provenance,
      },
      backbone: { sha256: backbone.sha256, name: backbone.name, standIn: backbone.standIn, manifest: backbone.manifest },
      threshold: threshold
        ? {
            pixelThreshold: threshold.pixelThreshold,
            imageThreshold: threshold.imageThreshold,
            method: threshold.method,
            createdAt: threshold.createdAt,
            createdBy: threshold.createdBy,
          }
        : null,
    },
    weights,
  );
  const path = resolve(out);
  const sha256 = sha256Hex(bytes);
  await writeFileAtomically(path, bytes, overwrite);
  try {
    store.audit.append({
      actor,
      action: 'export',
      objectIds: { modelVersionId: id },
      details: { kind: 'model-bundle', path, sha256, overwrite },
    });
  } catch (err) {
    // an export the trail cannot record does not happen
    await rm(path, { force: true });
    throw err;
  }
  return { path, bytes: bytes.byteLength, sha256 };
}

/**
 * Imports a bundle: verifies it, requires its backbone (by sha256) to be
 * imported here, and recreates the model version (inactive) and its current
 * thresholds with the same values. Audited.
 */
export async function importModel(store: BundleStore, file: string, actor: string): Promise<ModelVersionInfo> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NormscopeError(code === 'ENOENT' ? 'NotFound' : 'Unavailable', `cannot read ${path}: ${(err as Error).message}`);
  }
  const { manifest, weights, sha256 } = decodeBundle(bytes, path);
  const backbone = store.models.findBackboneBySha(manifest.backbone.sha256);
  if (!backbone) {
    throw new NormscopeError(
      'Refused',
      `the bundle's model runs on backbone ${manifest.backbone.name} (sha256 ${manifest.backbone.sha256}), ` +
        'which is not imported here: import that backbone file first',
    );
  }
  // refuses weights that do not fit the AR config before anything is stored
  decodeModelWeights(
    modelConfigs({ id: manifest.model.id, arConfig: manifest.model.arConfig } as ModelVersion),
    weights,
  );
  const weightsSha = sha256Hex(weights);
  const duplicate = store.models
    .listModelVersions()
    .find((v) => v.weightsSha256 === weightsSha && canonicalJson(v.arConfig) === canonicalJson(manifest.model.arConfig));
  if (duplicate) {
    throw new NormscopeError('Conflict', `this model is already here as version "${duplicate.name}" (${duplicate.id})`);
  }
  await store.files.put(weights);
  const created = store.transaction(() => {
    const version = store.models.addModelVersion({
      name: manifest.model.name,
      backboneId: backbone.id,
      arConfig: manifest.model.arConfig,
      weightsSha256: weightsSha,
      preprocessingVersion: manifest.model.preprocessingVersion,
      preprocessing: manifest.model.preprocessing,
      provenance: {
        ...manifest.model.provenance,
        importedFrom: {
          bundleSha256: sha256,
          modelId: manifest.model.id,
          createdAt: manifest.model.createdAt,
          createdBy: manifest.model.createdBy,
          exportedAt: manifest.exportedAt,
          importedBy: actor,
        },
      },
      createdBy: manifest.model.createdBy,
    });
    if (manifest.threshold) {
      store.thresholds.append({
        modelVersionId: version.id,
        pixelThreshold: manifest.threshold.pixelThreshold,
        imageThreshold: manifest.threshold.imageThreshold,
        method: manifest.threshold.method,
        createdBy: manifest.threshold.createdBy,
      });
    }
    store.audit.append({
      actor,
      action: 'model.save',
      objectIds: { modelVersionId: version.id },
      details: { source: 'bundle', bundleSha256: sha256, sourceModelId: manifest.model.id, backboneSha256: backbone.sha256 },
    });
    return version;
  });
  return toModelInfo(store, created);
}
