/**
 * The settings form's state and its mapping to the API: the form edits text
 * (a thread count is typed), the API takes typed values, and errors the API
 * returns point at fields by path.
 */
import type { Settings } from '../../src-main/api/contract';

export type SettingKey = keyof Settings;

export interface SettingsDraft {
  importMode: Settings['importMode'];
  intensityWindow: Settings['intensityWindow'];
  provider: Settings['provider'];
  /** as typed; checked by the host */
  threads: string;
}

export type FieldErrors = Partial<Record<SettingKey, string>>;

export function draftFrom(settings: Settings): SettingsDraft {
  return { ...settings, threads: String(settings.threads) };
}

/**
 * The changed settings as an update for `settings.update`, or field errors
 * for what cannot be sent at all (a thread count that is not a number). Range
 * and integer checks are the host's: it answers with errors per field.
 */
export function patchFrom(
  saved: Settings,
  draft: SettingsDraft,
): { patch: Partial<Settings>; errors: FieldErrors } {
  const patch: Partial<Settings> = {};
  const errors: FieldErrors = {};
  if (draft.importMode !== saved.importMode) patch.importMode = draft.importMode;
  if (draft.intensityWindow !== saved.intensityWindow) patch.intensityWindow = draft.intensityWindow;
  if (draft.provider !== saved.provider) patch.provider = draft.provider;
  const threadsText = draft.threads.trim();
  const threads = Number(threadsText);
  if (threadsText === '' || !Number.isFinite(threads)) {
    errors.threads = 'Enter a whole number of threads (0 lets ONNX Runtime decide).';
  } else if (threads !== saved.threads) {
    patch.threads = threads;
  }
  return { patch, errors };
}

export function isDirty(saved: Settings, draft: SettingsDraft): boolean {
  const { patch, errors } = patchFrom(saved, draft);
  return Object.keys(patch).length > 0 || Object.keys(errors).length > 0;
}

const SETTING_KEYS: readonly SettingKey[] = ['importMode', 'intensityWindow', 'provider', 'threads'];

function isSettingKey(value: unknown): value is SettingKey {
  return typeof value === 'string' && (SETTING_KEYS as readonly string[]).includes(value);
}

/**
 * Field errors from an `InvalidRequest` error's details (`{issues: [{path, message}]}`,
 * as the host's dispatcher sends them). Issues that name no known field are left out:
 * the error's message still says them.
 */
export function fieldErrorsFrom(details: unknown): FieldErrors {
  const errors: FieldErrors = {};
  const issues = (details as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return errors;
  for (const issue of issues) {
    const { path, message } = (issue ?? {}) as { path?: unknown; message?: unknown };
    const field = Array.isArray(path) ? path[0] : undefined;
    if (isSettingKey(field) && typeof message === 'string') {
      errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
    }
  }
  return errors;
}
