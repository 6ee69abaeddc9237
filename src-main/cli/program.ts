/**
 * The `normscope` command line: global conventions and the subcommands.
 * Exit codes: 0 success, 1 failure, 2 usage error (unknown command or option,
 * bad argument), so scripts can tell a typo from a failed run.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../core/package-info';
import { DATA_DIR_ENV, defaultDataDir } from '../store/data-dir';
import { commandRegistrations } from './commands';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function helpEpilogue(): string {
  return [
    '',
    'Exit codes:',
    `  ${EXIT_OK}  success`,
    `  ${EXIT_FAILURE}  failure: the command ran and could not do its work (the message says why)`,
    `  ${EXIT_USAGE}  usage error: unknown command or option, bad or missing argument`,
    '',
    'Environment:',
    `  ${DATA_DIR_ENV}  data directory when --data-dir is not given (default ${defaultDataDir()})`,
  ].join('\n');
}

export function createProgram(): Command {
  const program = new Command('normscope')
    .description('Radiology workstation: review studies scored by a DINOv3 + spatial autoregressive anomaly detector')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpCommand(true)
    .showHelpAfterError('(run `normscope --help` or `normscope <command> --help` for usage)')
    .addHelpText('after', helpEpilogue)
    // throw instead of exiting, so runCli decides the exit code; inherited by every subcommand
    .exitOverride();
  for (const registerCommand of commandRegistrations) registerCommand(program);
  return program;
}

/** Exit code for an error thrown while parsing or running a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  return EXIT_FAILURE;
}

/** Runs the CLI on `argv` (user arguments only) and resolves to the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    // commander has already printed its own usage messages
    if (!(err instanceof CommanderError)) console.error(`normscope: ${(err as Error).message ?? String(err)}`);
    return exitCodeFor(err);
  }
}
