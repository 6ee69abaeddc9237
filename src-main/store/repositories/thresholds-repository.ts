import type { SqliteDatabase } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, systemClock, toJson } from '../json-columns';

export interface Threshold {
  /** increasing: a higher id is a later version */
  id: number;
  modelVersionId: string;
  /** anomaly-map value above which a pixel is flagged (units of the map: mean squared feature error) */
  pixelThreshold: number;
  /** image score above which an image (and its study) is flagged */
  imageThreshold: number;
  /** how it was chosen, e.g. { kind: 'normal-fpr', target: 0.01, studies: [...] } */
  method: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

export type ThresholdInput = Omit<Threshold, 'id' | 'createdAt'>;

interface ThresholdRow {
  id: number;
  model_version_id: string;
  pixel_threshold: number;
  image_threshold: number;
  method: string;
  created_at: string;
  created_by: string;
}

/** Thresholds are versioned per model: every change appends a row; old ones stay for the record. */
export class ThresholdsRepository {
  private readonly insert;
  private readonly selectById;
  private readonly selectCurrent;
  private readonly selectHistory;

  constructor(
    db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insert = db.prepare(
      `INSERT INTO thresholds (model_version_id, pixel_threshold, image_threshold, method, created_at, created_by)
       VALUES (@model_version_id, @pixel_threshold, @image_threshold, @method, @created_at, @created_by)`,
    );
    this.selectById = db.prepare<[number], ThresholdRow>('SELECT * FROM thresholds WHERE id = ?');
    this.selectCurrent = db.prepare<[string], ThresholdRow>(
      'SELECT * FROM thresholds WHERE model_version_id = ? ORDER BY id DESC LIMIT 1',
    );
    this.selectHistory = db.prepare<[string], ThresholdRow>(
      'SELECT * FROM thresholds WHERE model_version_id = ? ORDER BY id',
    );
  }

  append(input: ThresholdInput): Threshold {
    const result = this.insert.run({
      model_version_id: input.modelVersionId,
      pixel_threshold: input.pixelThreshold,
      image_threshold: input.imageThreshold,
      method: toJson(input.method, `method of a threshold for model ${input.modelVersionId}`),
      created_at: this.now(),
      created_by: input.createdBy,
    });
    return this.get(Number(result.lastInsertRowid)) as Threshold;
  }

  get(id: number): Threshold | undefined {
    const row = this.selectById.get(id);
    return row && toThreshold(row);
  }

  current(modelVersionId: string): Threshold | undefined {
    const row = this.selectCurrent.get(modelVersionId);
    return row && toThreshold(row);
  }

  history(modelVersionId: string): Threshold[] {
    return this.selectHistory.all(modelVersionId).map(toThreshold);
  }
}

function toThreshold(row: ThresholdRow): Threshold {
  return {
    id: row.id,
    modelVersionId: row.model_version_id,
    pixelThreshold: row.pixel_threshold,
    imageThreshold: row.image_threshold,
    method: fromJson(row.method) as Record<string, unknown>,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}
