/**
 * Errors are values with names (STYLE.md): they cross IPC and the WebSocket as
 * `{ name, message, details? }` and the UI decides what to show from the name.
 */
export const ERROR_NAMES = [
  'InvalidRequest', // the request failed validation or named an unknown method
  'NotFound', // a study, model, job ... that does not exist
  'Conflict', // the action contradicts the current state (e.g. job already finished)
  'Cancelled', // the user or the system cancelled long work
  'Refused', // the action was refused on purpose (e.g. audit trail could not be written)
  'Unavailable', // a resource is missing or unreachable (backbone, PACS, disk)
  'WorkerFailed', // a supervised child process crashed, hung or ran out of memory
  'Internal', // a bug: anything not anticipated
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

export interface ApiErrorValue {
  name: ErrorName;
  message: string;
  details?: unknown;
}

export class NormscopeError extends Error {
  override readonly name: ErrorName;
  readonly details?: unknown;

  constructor(name: ErrorName, message: string, details?: unknown) {
    super(message);
    this.name = name;
    this.details = details;
  }

  toValue(): ApiErrorValue {
    return this.details === undefined
      ? { name: this.name, message: this.message }
      : { name: this.name, message: this.message, details: this.details };
  }
}

export function isErrorName(value: unknown): value is ErrorName {
  return typeof value === 'string' && (ERROR_NAMES as readonly string[]).includes(value);
}

/** Turns anything thrown into an error value; unknown errors become `Internal`. */
export function toErrorValue(err: unknown): ApiErrorValue {
  if (err instanceof NormscopeError) return err.toValue();
  if (err instanceof Error) return { name: 'Internal', message: err.message };
  return { name: 'Internal', message: String(err) };
}

/** Rebuilds a throwable error from a value received over a transport. */
export function fromErrorValue(value: ApiErrorValue): NormscopeError {
  return new NormscopeError(isErrorName(value.name) ? value.name : 'Internal', value.message, value.details);
}
