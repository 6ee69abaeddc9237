/**
 * Progress for people on stderr. On a terminal one line is redrawn in place
 * as `[#####.....] 52% message`; anywhere else (a log file, a pipe, a CI job)
 * each change is its own plain line `52% message`, so logs stay readable.
 * stdout is left to the result (`--json` output stays clean).
 */

const BAR_WIDTH = 10;

/** `[#####.....] 52% message` for a fraction in 0..1; without a fraction only the message. */
export function renderProgress(fraction: number | null, message: string, bar: boolean): string {
  if (fraction === null) return message;
  const clamped = Math.min(1, Math.max(0, fraction));
  const percent = `${Math.round(clamped * 100)}%`;
  if (!bar) return `${percent} ${message}`;
  const filled = Math.round(clamped * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent} ${message}`;
}

export interface ProgressReporter {
  /** shows the progress; an update identical to the last one prints nothing */
  update(fraction: number | null, message: string): void;
  /** ends the redrawn line on a terminal, so what follows starts on a fresh line */
  finish(): void;
}

/**
 * A terminal gets every change redrawn in place; a log gets a line when the
 * message changes or the progress reaches a new tenth, so a long job does not
 * fill it with one line per percent.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const tty = stream.isTTY === true;
  let last = '';
  return {
    update(fraction, message) {
      const line = renderProgress(fraction, message, tty);
      const key = tty || fraction === null ? line : `${Math.floor(Math.min(1, Math.max(0, fraction)) * 10)} ${message}`;
      if (key === last) return;
      last = key;
      // \r and erase-to-end-of-line redraw the same terminal line
      stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
    finish() {
      if (tty && last !== '') stream.write('\n');
      last = '';
    },
  };
}
