/**
 * For commands that work on the data directory through the same core as the
 * windows: open it, call contract methods (validated by the same schemas),
 * close it whatever happens.
 */
import type { Method, Params, Result } from '../api/contract';
import { fromErrorValue } from '../api/errors';
import { createCore } from '../core';
import type { Core } from '../core';
import { dataDirFrom } from './options';

/** Runs `work` with a core on the command's data directory (`--data-dir`, else the default). */
export async function withCore<T>(
  opts: { dataDir?: string },
  work: (core: Core) => Promise<T>,
): Promise<T> {
  const core = await createCore({ dataDir: dataDirFrom(opts), host: 'cli' });
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}

/** Calls a contract method; an error outcome is thrown as the NormscopeError it describes. */
export async function call<M extends Method>(
  core: Core,
  method: M,
  params: Params<M>,
): Promise<Result<M>> {
  const outcome = await core.dispatch(method, params, { transport: 'cli' });
  if (!outcome.ok) throw fromErrorValue(outcome.error);
  return outcome.result as Result<M>;
}
