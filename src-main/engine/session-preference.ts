/** The settings' provider and thread choice, as the worker builds sessions with it. */
import type { Settings } from '../api/contract';
import type { SessionPreference } from './session-cache';

/** `auto` leaves the order to the session layer (fastest first); a named provider is tried first, CPU is always the fallback. */
export function sessionPreference(
  settings: Pick<Settings, 'provider' | 'threads'>,
): SessionPreference {
  const providers: SessionPreference['providers'] =
    settings.provider === 'auto'
      ? null
      : settings.provider === 'cpu'
        ? ['cpu']
        : [settings.provider, 'cpu'];
  return { providers, intraOpThreads: settings.threads };
}
