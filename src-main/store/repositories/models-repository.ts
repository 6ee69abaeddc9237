import { randomUUID } from 'node:crypto';
import { NormscopeError } from '../../api/errors';
import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, systemClock, toJson } from '../json-columns';

export interface Backbone {
  id: string;
  name: string;
  /** sha256 of the ONNX file: the backbone's identity, recorded with every model and scoring run */
  sha256: string;
  /** where the ONNX file lies in the content store */
  fileSha256: string;
  /** a generated stand-in: never for clinical use */
  standIn: boolean;
  /** probed layout (input/output names, patch size, embedding size, prefix tokens), preprocessing, source, licence */
  manifest: Record<string, unknown>;
  createdAt: string;
}

export type BackboneInput = Omit<Backbone, 'id' | 'createdAt'>;

export interface ModelVersion {
  id: string;
  name: string;
  backboneId: string;
  /** AR model config: mode, kernel, hidden, layers, dilations ... */
  arConfig: Record<string, unknown>;
  /** the weights file in the content store */
  weightsSha256: string;
  preprocessingVersion: string;
  preprocessing: Record<string, unknown>;
  /** training run, seed, training/validation studies and hashes, or the bundle it was imported from */
  provenance: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  active: boolean;
}

export type ModelVersionInput = Omit<ModelVersion, 'id' | 'createdAt' | 'active'>;

interface BackboneRow {
  id: string;
  name: string;
  sha256: string;
  file_sha256: string;
  stand_in: number;
  manifest: string;
  created_at: string;
}

interface ModelVersionRow {
  id: string;
  name: string;
  backbone_id: string;
  ar_config: string;
  weights_sha256: string;
  preprocessing_version: string;
  preprocessing: string;
  provenance: string;
  created_at: string;
  created_by: string;
  active: number;
}

/** Backbones and AR model versions; at most one model version is active. */
export class ModelsRepository {
  private readonly insertBackbone;
  private readonly selectBackbone;
  private readonly selectBackboneBySha;
  private readonly selectBackbones;
  private readonly insertModel;
  private readonly selectModel;
  private readonly selectModels;
  private readonly selectActive;
  private readonly clearActive;
  private readonly setActive;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insertBackbone = db.prepare(
      `INSERT INTO backbones (id, name, sha256, file_sha256, stand_in, manifest, created_at)
       VALUES (@id, @name, @sha256, @file_sha256, @stand_in, @manifest, @created_at)`,
    );
    this.selectBackbone = db.prepare<[string], BackboneRow>('SELECT * FROM backbones WHERE id = ?');
    this.selectBackboneBySha = db.prepare<[string], BackboneRow>(
      'SELECT * FROM backbones WHERE sha256 = ?',
    );
    this.selectBackbones = db.prepare<[], BackboneRow>(
      'SELECT * FROM backbones ORDER BY created_at, id',
    );
    this.insertModel = db.prepare(
      `INSERT INTO model_versions (id, name, backbone_id, ar_config, weights_sha256, preprocessing_version,
         preprocessing, provenance, created_at, created_by, active)
       VALUES (@id, @name, @backbone_id, @ar_config, @weights_sha256, @preprocessing_version,
         @preprocessing, @provenance, @created_at, @created_by, 0)`,
    );
    this.selectModel = db.prepare<[string], ModelVersionRow>(
      'SELECT * FROM model_versions WHERE id = ?',
    );
    this.selectModels = db.prepare<[], ModelVersionRow>(
      'SELECT * FROM model_versions ORDER BY created_at, id',
    );
    this.selectActive = db.prepare<[], ModelVersionRow>(
      'SELECT * FROM model_versions WHERE active = 1',
    );
    this.clearActive = db.prepare('UPDATE model_versions SET active = 0 WHERE active = 1');
    this.setActive = db.prepare<[string]>('UPDATE model_versions SET active = 1 WHERE id = ?');
  }

  /** Records a backbone; importing the same file (same sha256) again returns the existing record. */
  addBackbone(input: BackboneInput): Backbone {
    return inTransaction(this.db, () => {
      const existing = this.selectBackboneBySha.get(input.sha256);
      if (existing) return toBackbone(existing);
      const id = randomUUID();
      this.insertBackbone.run({
        id,
        name: input.name,
        sha256: input.sha256,
        file_sha256: input.fileSha256,
        stand_in: input.standIn ? 1 : 0,
        manifest: toJson(input.manifest, `manifest of backbone ${input.name}`),
        created_at: this.now(),
      });
      return this.getBackbone(id) as Backbone;
    });
  }

  getBackbone(id: string): Backbone | undefined {
    const row = this.selectBackbone.get(id);
    return row && toBackbone(row);
  }

  findBackboneBySha(sha256: string): Backbone | undefined {
    const row = this.selectBackboneBySha.get(sha256);
    return row && toBackbone(row);
  }

  listBackbones(): Backbone[] {
    return this.selectBackbones.all().map(toBackbone);
  }

  /** Records a model version, inactive. */
  addModelVersion(input: ModelVersionInput): ModelVersion {
    const id = randomUUID();
    this.insertModel.run({
      id,
      name: input.name,
      backbone_id: input.backboneId,
      ar_config: toJson(input.arConfig, `AR config of model ${input.name}`),
      weights_sha256: input.weightsSha256,
      preprocessing_version: input.preprocessingVersion,
      preprocessing: toJson(input.preprocessing, `preprocessing of model ${input.name}`),
      provenance: toJson(input.provenance, `provenance of model ${input.name}`),
      created_at: this.now(),
      created_by: input.createdBy,
    });
    return this.getModelVersion(id) as ModelVersion;
  }

  getModelVersion(id: string): ModelVersion | undefined {
    const row = this.selectModel.get(id);
    return row && toModelVersion(row);
  }

  listModelVersions(): ModelVersion[] {
    return this.selectModels.all().map(toModelVersion);
  }

  activeModelVersion(): ModelVersion | undefined {
    const row = this.selectActive.get();
    return row && toModelVersion(row);
  }

  /** Makes `id` the one active model (activation and roll-back alike). */
  activate(id: string): ModelVersion {
    return inTransaction(this.db, () => {
      if (!this.selectModel.get(id))
        throw new NormscopeError('NotFound', `model version ${id} does not exist`);
      this.clearActive.run();
      this.setActive.run(id);
      return this.getModelVersion(id) as ModelVersion;
    });
  }
}

function toBackbone(row: BackboneRow): Backbone {
  return {
    id: row.id,
    name: row.name,
    sha256: row.sha256,
    fileSha256: row.file_sha256,
    standIn: row.stand_in === 1,
    manifest: fromJson(row.manifest) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

function toModelVersion(row: ModelVersionRow): ModelVersion {
  return {
    id: row.id,
    name: row.name,
    backboneId: row.backbone_id,
    arConfig: fromJson(row.ar_config) as Record<string, unknown>,
    weightsSha256: row.weights_sha256,
    preprocessingVersion: row.preprocessing_version,
    preprocessing: fromJson(row.preprocessing) as Record<string, unknown>,
    provenance: fromJson(row.provenance) as Record<string, unknown>,
    createdAt: row.created_at,
    createdBy: row.created_by,
    active: row.active === 1,
  };
}
