/**
 * Cancellation for long work, after vscode's CancellationToken
 * (base/common/cancellation.ts) but on the platform's AbortSignal, so the same
 * token reaches fetch, timers, child processes and our own loops.
 */
import { NormscopeError } from '../api/errors';

/** The error every cancelled operation rejects with; `what` names the work. */
export function cancelledError(what: string): NormscopeError {
  return new NormscopeError('Cancelled', `${what} was cancelled`);
}

/** Loops call this between steps so a cancel takes effect at the next step. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

/**
 * Runs `listener` once when `signal` aborts (at once if it already has).
 * Returns the unsubscribe, so callers that finish first leave no listener behind.
 */
export function onCancel(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
