import { NormscopeError } from '../api/errors';

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no
 * whitespace, so equal values always give equal text and equal hashes. Refuses
 * what has no stable JSON form: undefined, functions, bigints, non-finite numbers.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new NormscopeError('InvalidRequest', `canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      return `{${Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map(
          (key) =>
            `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
        )
        .join(',')}}`;
    default:
      throw new NormscopeError('InvalidRequest', `canonical JSON cannot hold a ${typeof value}`);
  }
}
