/**
 * Options every subcommand spells the same way. A command that touches the
 * data directory adds `dataDirOption()`; one whose output a script may read
 * adds `jsonOption()` and prints through `printResult`.
 */
import { InvalidArgumentError, Option } from 'commander';
import { DATA_DIR_ENV, defaultDataDir, resolveDataDir } from '../store/data-dir';

export function dataDirOption(): Option {
  return new Option(
    '--data-dir <dir>',
    `data directory (database, DICOM and model files); default $${DATA_DIR_ENV}, else ${defaultDataDir()}`,
  );
}

export function jsonOption(): Option {
  return new Option('--json', 'print machine-readable JSON instead of text');
}

/** `--data-dir` > NORMSCOPE_DATA_DIR > the default; created when missing, returned absolute. */
export function dataDirFrom(opts: { dataDir?: string }): string {
  return resolveDataDir({ dataDir: opts.dataDir, defaultDir: defaultDataDir() });
}

/** Parser for a TCP port option; a bad value is a usage error (exit 2). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number between 0 and 65535 (0 picks a free one)');
  }
  return port;
}

/** Prints `value` as JSON with --json, else the human-readable `text`. */
export function printResult(json: boolean | undefined, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}
