import { NormscopeError } from '../api/errors';

/** The current time as stored: ISO 8601 UTC with milliseconds. */
export type Clock = () => string;

export const systemClock: Clock = () => new Date().toISOString();

/** Serialises a value for a JSON column; refuses what JSON cannot hold faithfully. */
export function toJson(value: unknown, what: string): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new NormscopeError(
        'InvalidRequest',
        `${what} holds a non-finite number (${v}), which JSON cannot store`,
      );
    }
    if (typeof v === 'bigint') {
      throw new NormscopeError('InvalidRequest', `${what} holds a bigint, which JSON cannot store`);
    }
    return v;
  });
  if (text === undefined)
    throw new NormscopeError('InvalidRequest', `${what} has no JSON form (${typeof value})`);
  return text;
}

export function fromJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

export function fromJsonOrNull(text: string | null): unknown {
  return text === null ? null : fromJson(text);
}
