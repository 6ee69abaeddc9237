import { NormscopeError, fromErrorValue, isErrorName } from '../../src-main/api/errors';

/**
 * Turns whatever a transport rejected with into a NormscopeError: an error
 * value `{name, message}` keeps its name; anything else is a bug (`Internal`)
 * and keeps its text so it can still be reported.
 */
export function toNormscopeError(reason: unknown): NormscopeError {
  if (reason instanceof NormscopeError) return reason;
  if (typeof reason === 'object' && reason !== null) {
    const { name, message, details } = reason as { name?: unknown; message?: unknown; details?: unknown };
    if (typeof message === 'string' && isErrorName(name)) {
      return fromErrorValue({ name, message, details });
    }
    if (typeof message === 'string') return new NormscopeError('Internal', message);
  }
  return new NormscopeError('Internal', String(reason));
}
