import { describe, expect, it } from 'vitest';
import { progressReporter, renderProgress } from '../../../src-main/cli/progress';

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean): NodeJS.WriteStream & { written: string } {
  const fake = {
    isTTY,
    written: '',
    write(text: string) {
      fake.written += text;
      return true;
    },
  };
  return fake as unknown as NodeJS.WriteStream & { written: string };
}

describe('progress on stderr', () => {
  it('draws a ten-step bar with the percentage on a terminal and plain percentages elsewhere', () => {
    expect(renderProgress(0.52, 'scoring', true)).toBe('[#####.....] 52% scoring');
    expect(renderProgress(1, 'done', true)).toBe('[##########] 100% done');
    expect(renderProgress(0.52, 'scoring', false)).toBe('52% scoring');
    expect(renderProgress(null, 'waiting for a worker', true)).toBe('waiting for a worker');
  });

  it('redraws one terminal line in place and ends it on finish', () => {
    const tty = stream(true);
    const progress = progressReporter(tty);
    progress.update(0.1, 'features');
    progress.update(0.2, 'features');
    progress.finish();
    expect(tty.written).toBe('\r[#.........] 10% features\x1b[K\r[##........] 20% features\x1b[K\n');
  });

  it('writes a log line per new message or tenth, not per percent', () => {
    const log = stream(false);
    const progress = progressReporter(log);
    for (let done = 0; done <= 100; done++) progress.update(done / 100, 'features');
    progress.update(1, 'training');
    progress.finish();
    const lines = log.written.split('\n').filter(Boolean);
    expect(lines).toHaveLength(12);
    expect(lines.slice(0, 2)).toEqual(['0% features', '10% features']);
    expect(lines.slice(-2)).toEqual(['100% features', '100% training']);
  });
});
