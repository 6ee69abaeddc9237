/** Words for the status bar: names the people in a reading room know. */
import type { AppStatus } from '../../src-main/api/contract';

type Provider = AppStatus['provider']['active'];

const PROVIDER_LABELS: Record<Provider, string> = {
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

export function providerLabel(provider: Provider): string {
  return PROVIDER_LABELS[provider];
}

export function availableProvidersText(available: readonly Provider[]): string {
  return available.length === 0 ? 'No execution provider available' : `Available: ${available.map(providerLabel).join(', ')}`;
}

/**
 * A path cut to at most `max` characters by dropping leading folders, so the
 * end (the part that tells data directories apart) stays readable.
 */
export function shortenPath(path: string, max: number): string {
  if (path.length <= max) return path;
  const separator = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  const parts = path.split(separator);
  let tail = parts.pop() ?? '';
  while (parts.length > 0 && tail.length + (parts[parts.length - 1]?.length ?? 0) + 3 <= max) {
    tail = `${parts.pop()}${separator}${tail}`;
  }
  const shortened = `…${separator}${tail}`;
  return shortened.length <= max ? shortened : `…${path.slice(path.length - max + 1)}`;
}
