/**
 * Which ONNX Runtime execution provider the status bar reports: the one a
 * session would be created with (src-main/ml/onnx/session.ts decides what this
 * machine really has). The user's setting picks among the available ones;
 * `auto`, or a choice that is not available here, takes the fastest.
 */
import type { Settings } from '../api/contract';
import type { ProviderName } from '../ml/onnx/session';

export interface ProviderChoice {
  active: ProviderName;
  available: ProviderName[];
}

/**
 * Pure choice: `available` in order of preference (fastest first, as
 * availableProviders() returns them; CPU is always possible), `preference`
 * from the settings.
 */
export function chooseProvider(available: readonly ProviderName[], preference: Settings['provider']): ProviderChoice {
  const withCpu: ProviderName[] = available.includes('cpu') ? [...available] : [...available, 'cpu'];
  const active = preference !== 'auto' && withCpu.includes(preference) ? preference : (withCpu[0] ?? 'cpu');
  return { active, available: withCpu };
}

/** Asks the installed onnxruntime-node (loaded on first call: it is a large native library). */
export async function detectProviders(preference: Settings['provider']): Promise<ProviderChoice> {
  const { availableProviders } = await import('../ml/onnx/session');
  return chooseProvider(availableProviders(), preference);
}
