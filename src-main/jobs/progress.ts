/**
 * Progress reporting for long work, after vscode's IProgress
 * (platform/progress/common/progress.ts). Work reports as often as is natural
 * for it; a throttle in between keeps events, IPC messages and database writes
 * cheap whatever that rate is.
 */

export interface ProgressReporter {
  /** `fraction` in 0..1, or null when the amount of work is unknown; `message` says what is happening. */
  report(fraction: number | null, message: string): void;
}

export interface ThrottledProgress extends ProgressReporter {
  /** Delivers a held-back report now (call before announcing that the work ended). */
  flush(): void;
  /** Drops any held-back report and ignores later ones. */
  dispose(): void;
}

/** Out-of-range or non-finite fractions become valid ones rather than invalid events. */
function clampFraction(fraction: number | null): number | null {
  if (fraction === null || !Number.isFinite(fraction)) return null;
  return Math.min(1, Math.max(0, fraction));
}

/**
 * Passes the first report through at once, then at most one per `intervalMs`
 * (ms): the latest one, so the last word is never lost, only the ones between.
 */
export function throttleProgress(
  deliver: (fraction: number | null, message: string) => void,
  intervalMs: number,
): ThrottledProgress {
  let lastDelivered = -Infinity;
  let pending: { fraction: number | null; message: string } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let disposed = false;

  const deliverPending = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const { fraction, message } = pending;
    pending = null;
    lastDelivered = Date.now();
    deliver(fraction, message);
  };

  return {
    report(fraction, message) {
      if (disposed) return;
      pending = { fraction: clampFraction(fraction), message };
      const wait = lastDelivered + intervalMs - Date.now();
      if (wait <= 0) deliverPending();
      else if (!timer) {
        timer = setTimeout(deliverPending, wait);
        // a held-back progress message is not a reason to keep a CLI process alive
        timer.unref();
      }
    },
    flush: deliverPending,
    dispose() {
      disposed = true;
      pending = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
