/**
 * Tasks that exercise the supervisor itself: a typed-array round trip, and the
 * failures it exists to contain (a native crash, a hang, a runaway allocation).
 * The test suite runs them, and a diagnostics view may.
 */
import { NormscopeError } from '../api/errors';
import { throwIfCancelled } from './cancellation';
import type { Task } from './task';

/** Keeps allocations reachable so the memory really stays resident. */
const held: Buffer[] = [];

/** Burns CPU without yielding, like native code that does not return, for `ms` (ms). */
function spin(ms: number): number {
  const until = Date.now() + ms;
  let iterations = 0;
  while (Date.now() < until) iterations += 1;
  return iterations;
}

const echo: Task<
  { values: Float32Array; bytes: Uint8Array; text: string },
  { values: Float32Array; bytes: Uint8Array; text: string; pid: number }
> = async (input) => ({ ...input, pid: process.pid });

/** Fails the way a task meets bad input: an expected error that leaves the worker usable. */
const fail: Task<{ message: string }, never> = async ({ message }) => {
  throw new NormscopeError('InvalidRequest', message);
};

/** Aborts the process the way a fault in native code does (SIGABRT). */
const crash: Task<Record<string, never>, never> = async () => process.abort();

const hang: Task<Record<string, never>, never> = async () => {
  spin(Infinity);
  throw new Error('unreachable: spin(Infinity) returned');
};

/** Busy for `ms` (ms) of CPU, then returns how many loop iterations that was. */
const cpu: Task<{ ms: number }, { iterations: number }> = async ({ ms }) => ({
  iterations: spin(ms),
});

/** Allocates `mb` MB outside the V8 heap (touched, so resident) and holds it `holdMs` ms. */
const allocate: Task<{ mb: number; holdMs: number }, { allocatedMb: number }> = async ({
  mb,
  holdMs,
}) => {
  held.push(Buffer.alloc(mb * 1024 * 1024, 1));
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  held.length = 0;
  return { allocatedMb: mb };
};

/** Reports progress in `steps` steps of `stepMs` ms, stopping at the next step when cancelled. */
const progress: Task<{ steps: number; stepMs: number }, { steps: number; pid: number }> = async (
  { steps, stepMs },
  ctx,
) => {
  for (let step = 1; step <= steps; step += 1) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    throwIfCancelled(ctx.signal, 'selftest.progress');
    ctx.progress.report(step / steps, `step ${step} of ${steps}`);
  }
  return { steps, pid: process.pid };
};

export const selftestTasks = {
  'selftest.echo': echo,
  'selftest.fail': fail,
  'selftest.crash': crash,
  'selftest.hang': hang,
  'selftest.cpu': cpu,
  'selftest.allocate': allocate,
  'selftest.progress': progress,
};
