/**
 * What the status bar shows about models: the active model and the backbone
 * it runs on, or, before any model is active, the newest backbone imported.
 * Read with prepared statements from the store's backbones/model_versions tables.
 */
import type { AppStatus } from '../api/contract';
import type { Store } from '../store/store';

type BackboneSummary = NonNullable<AppStatus['backbone']>;

interface BackboneRow {
  id: string;
  name: string;
  sha256: string;
  stand_in: number;
  manifest: string;
}

function familyOf(row: BackboneRow): string {
  try {
    const manifest = JSON.parse(row.manifest) as { family?: unknown };
    if (typeof manifest.family === 'string' && manifest.family !== '') return manifest.family;
  } catch {
    // a manifest that does not parse still names its backbone by name below
  }
  return row.name;
}

function toSummary(row: BackboneRow): BackboneSummary {
  return { id: row.id, name: row.name, family: familyOf(row), standIn: row.stand_in === 1, sha256: row.sha256 };
}

export interface ModelSummary {
  backbone: AppStatus['backbone'];
  activeModel: AppStatus['activeModel'];
}

/** Returns a reader bound to the store's connection (statements prepared once). */
export function modelSummaryReader(store: Pick<Store, 'db'>): () => ModelSummary {
  const active = store.db.prepare<[], { id: string; name: string; backbone_id: string }>(
    'SELECT id, name, backbone_id FROM model_versions WHERE active = 1',
  );
  const backboneById = store.db.prepare<[string], BackboneRow>(
    'SELECT id, name, sha256, stand_in, manifest FROM backbones WHERE id = ?',
  );
  const newestBackbone = store.db.prepare<[], BackboneRow>(
    'SELECT id, name, sha256, stand_in, manifest FROM backbones ORDER BY created_at DESC, id DESC LIMIT 1',
  );
  return () => {
    const model = active.get();
    const backbone = model ? backboneById.get(model.backbone_id) : newestBackbone.get();
    return {
      backbone: backbone ? toSummary(backbone) : null,
      activeModel: model ? { id: model.id, name: model.name } : null,
    };
  };
}
