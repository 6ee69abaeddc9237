/**
 * Column checks shared by the migrations. They expand constant column names
 * chosen in code, never input.
 */

/** ISO 8601 UTC timestamps as `Date.prototype.toISOString` writes them. */
export function isoUtc(column: string): string {
  return `CHECK (${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')`;
}

export function isoUtcOrNull(column: string): string {
  return `CHECK (${column} IS NULL OR ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')`;
}

/** A content-store address: 64 lowercase hex digits. */
export function sha256(column: string): string {
  return `CHECK (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*')`;
}

export function sha256OrNull(column: string): string {
  return `CHECK (${column} IS NULL OR (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*'))`;
}

export function json(column: string): string {
  return `CHECK (json_valid(${column}))`;
}

export function jsonOrNull(column: string): string {
  return `CHECK (${column} IS NULL OR json_valid(${column}))`;
}

export function jsonArray(column: string): string {
  return `CHECK (json_valid(${column}) AND json_type(${column}) = 'array')`;
}

export function jsonObject(column: string): string {
  return `CHECK (json_valid(${column}) AND json_type(${column}) = 'object')`;
}

export function flag(column: string): string {
  return `CHECK (${column} IN (0, 1))`;
}

/** The states a job (and the runs that jobs drive) can be in: the contract's JobState. */
export const RUN_STATES = `('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled')`;

/** SQL for the current time in the same ISO format. */
export const NOW = `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** Triggers that make a table append-only: any UPDATE or DELETE aborts its statement. */
export function appendOnly(table: string, hint: string): string {
  return `
CREATE TRIGGER ${table}_append_only_update BEFORE UPDATE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${hint}'); END;
CREATE TRIGGER ${table}_append_only_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${hint}'); END;
`;
}
