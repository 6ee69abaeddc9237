/**
 * The backbone manager: importing a DINOv3-style ONNX file the user provides
 * (or a generated stand-in) and listing what was imported. The file is copied
 * into the content store and probed in the supervised worker, so a model that
 * crashes ONNX Runtime fails its import and nothing else. External data: files
 * the model names inside its own folder are copied into the content store with
 * it (backbone-manifest.ts puts them back side by side for loading); a model
 * that names files outside its folder is refused by the probe.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { NormscopeError } from '../api/errors';
import type { WorkerSupervisor } from '../jobs/supervisor';
import type { Backbone } from '../store/repositories/models-repository';
import type { Store } from '../store/store';
import type { ExternalDataFile, StoredBackboneManifest } from './backbone-manifest';
import { ENGINE_WORKER_MEMORY_MB } from './worker-limits';

export interface ImportBackboneOptions {
  /** display name; default the probe's (the file name without extension) */
  name?: string;
  /** where the model came from, recorded as is; default the file's path */
  source?: string;
  /** who imported it, for the audit trail */
  actor?: string;
}

export interface ImportedBackbone {
  backbone: Backbone;
  /** the same file (same sha256) had been imported before: its record is returned unchanged */
  alreadyImported: boolean;
}

/** ms the probe may take: loading a large export and running one image on a busy CPU */
const PROBE_TIMEOUT_MS = 600_000;

/**
 * Imports the ONNX backbone at `filePath`. Idempotent by the file's sha256.
 * Throws NotFound for a missing file, InvalidRequest for a file that is not a
 * ViT-style patch-token ONNX model (or names external data outside its
 * folder), WorkerFailed when probing it crashed or exhausted the worker; in
 * every failure nothing is recorded and the stored copy is removed.
 */
export async function importBackbone(
  core: { store: Store; workers: WorkerSupervisor },
  filePath: string,
  options: ImportBackboneOptions = {},
): Promise<ImportedBackbone> {
  const { store, workers } = core;
  const path = resolve(filePath);
  const info = await stat(path).catch(() => null);
  if (!info) throw new NormscopeError('NotFound', `backbone file not found: ${path}`);
  if (!info.isFile()) throw new NormscopeError('InvalidRequest', `${path} is not a file`);

  const stored = await store.files.putFile(path);
  const existing = store.models.findBackboneBySha(stored.sha256);
  if (existing) return { backbone: existing, alreadyImported: true };

  const keptFiles: string[] = [];
  try {
    const probed = await workers.run(
      'backbone.probe',
      { path, ...(options.name ? { name: options.name } : {}), source: options.source ?? path },
      { timeoutMs: PROBE_TIMEOUT_MS, memoryMb: ENGINE_WORKER_MEMORY_MB },
    );
    if (probed.manifest.sha256 !== stored.sha256) {
      throw new NormscopeError(
        'Conflict',
        `${path} changed while it was being imported; import it again`,
      );
    }
    const externalData: ExternalDataFile[] = [];
    for (const location of probed.externalData) {
      const file = await store.files.putFile(resolve(dirname(path), location));
      keptFiles.push(file.sha256);
      externalData.push({ location, sha256: file.sha256, size: file.size });
    }
    const manifest: StoredBackboneManifest = { ...probed.manifest, externalData };
    const actor = options.actor ?? 'system';
    const backbone = store.transaction(() => {
      const record = store.models.addBackbone({
        name: manifest.name,
        sha256: stored.sha256,
        fileSha256: stored.sha256,
        standIn: manifest.standIn,
        manifest: { ...manifest },
      });
      store.audit.append({
        actor,
        action: 'backbone.import',
        objectIds: { backboneId: record.id, sha256: record.sha256 },
        details: {
          name: record.name,
          family: manifest.family,
          standIn: manifest.standIn,
          embedDim: manifest.embedDim,
          grid: manifest.grid,
          externalDataFiles: externalData.length,
          source: manifest.source,
        },
      });
      return record;
    });
    return { backbone, alreadyImported: false };
  } catch (err) {
    // nothing refers to the copies of a refused model; keep the store free of them
    const referenced = new Set(store.models.listBackbones().flatMap((b) => backboneFiles(b)));
    for (const sha of [stored.sha256, ...keptFiles]) {
      if (!referenced.has(sha)) await store.files.remove(sha);
    }
    throw err;
  }
}

/** The content-store files a backbone record uses: its ONNX file and any external data. */
function backboneFiles(backbone: Backbone): string[] {
  const external =
    (backbone.manifest as { externalData?: Array<{ sha256?: unknown }> }).externalData ?? [];
  return [backbone.fileSha256, ...external.map((file) => String(file.sha256))];
}

/** Every imported backbone, oldest first. */
export function listBackbones(core: { store: Store }): Backbone[] {
  return core.store.models.listBackbones();
}
