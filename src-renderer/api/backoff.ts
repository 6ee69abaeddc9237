/**
 * Delay before reconnect attempt `attempt` (0 for the first retry), in ms:
 * doubles from `initialMs` up to `maxMs`. No jitter: a window talks to one
 * loopback host, so there is no herd to spread out.
 */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number): number {
  if (attempt < 0 || !Number.isFinite(attempt)) return initialMs;
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}
