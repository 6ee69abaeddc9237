import { randomUUID } from 'node:crypto';
import { NormscopeError } from '../../api/errors';
import type { SqliteDatabase } from '../db';
import type { Clock } from '../json-columns';
import { systemClock } from '../json-columns';

export interface Reviewer {
  id: string;
  name: string;
  createdAt: string;
}

interface ReviewerRow {
  id: string;
  name: string;
  created_at: string;
}

/** The people who give verdicts; a name identifies one reviewer in a data directory. */
export class ReviewersRepository {
  private readonly insert;
  private readonly selectById;
  private readonly selectByName;
  private readonly selectAll;

  constructor(
    db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    this.insert = db.prepare<[string, string, string]>(
      'INSERT INTO reviewers (id, name, created_at) VALUES (?, ?, ?)',
    );
    this.selectById = db.prepare<[string], ReviewerRow>('SELECT * FROM reviewers WHERE id = ?');
    this.selectByName = db.prepare<[string], ReviewerRow>('SELECT * FROM reviewers WHERE name = ?');
    this.selectAll = db.prepare<[], ReviewerRow>(
      'SELECT * FROM reviewers ORDER BY name COLLATE NOCASE, id',
    );
  }

  /** Adds a reviewer; Conflict when the name is taken, InvalidRequest when it is blank. */
  create(name: string): Reviewer {
    const trimmed = name.trim();
    if (trimmed === '') throw new NormscopeError('InvalidRequest', 'a reviewer needs a name');
    if (this.selectByName.get(trimmed))
      throw new NormscopeError('Conflict', `a reviewer named "${trimmed}" already exists`);
    const id = randomUUID();
    this.insert.run(id, trimmed, this.now());
    return this.get(id) as Reviewer;
  }

  get(id: string): Reviewer | undefined {
    const row = this.selectById.get(id);
    return row && toReviewer(row);
  }

  findByName(name: string): Reviewer | undefined {
    const row = this.selectByName.get(name.trim());
    return row && toReviewer(row);
  }

  list(): Reviewer[] {
    return this.selectAll.all().map(toReviewer);
  }
}

function toReviewer(row: ReviewerRow): Reviewer {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
