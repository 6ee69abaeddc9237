/**
 * Runs the `normscope` command line in this process (runCli) and captures
 * what it printed: console output and commander's own help and usage text.
 */
import { vi } from 'vitest';
import { runCli } from '../../../src-main/cli/program';

export async function normscope(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const capture = (append: (text: string) => void) => (chunk: string | Uint8Array): boolean => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (out += `${parts.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (err += `${parts.join(' ')}\n`));
  vi.spyOn(process.stdout, 'write').mockImplementation(capture((text) => void (out += text)));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture((text) => void (err += text)));
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
