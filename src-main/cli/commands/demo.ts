/**
 * `normscope demo`: loads the demo into an empty data directory, headlessly,
 * exactly as the window's "Load the demo" does (one 'demo' job through the
 * contract), with progress on stderr; Ctrl-C cancels it.
 */
import type { Command } from 'commander';
import type { JobInfo } from '../../api/contract';
import { waitForJob } from '../../jobs/wait';
import { dataDirOption, jsonOption, printResult } from '../options';
import { progressReporter } from '../progress';
import { call, withCore } from '../with-core';

interface DemoOptions {
  dataDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'load the demo into an empty data directory: phantom studies, a stand-in backbone (not for clinical use), a model trained on the demo normals, scores and thresholds',
    )
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(demo);
}

async function demo(opts: DemoOptions): Promise<void> {
  const summary = await withCore(opts, async (core) => {
    const job = await call(core, 'demo.load', {});
    const progress = progressReporter();
    const stop = core.events.subscribe((event, payload) => {
      const info = payload as JobInfo;
      if (event !== 'jobs.updated' || info.id !== job.id) return;
      progress.update(info.progress, info.message);
    });
    const cancel = (): void => {
      core.jobs.cancel(job.id);
    };
    process.once('SIGINT', cancel);
    try {
      await waitForJob(core.jobs, core.events, job.id);
    } finally {
      process.off('SIGINT', cancel);
      stop();
      progress.finish();
    }
    const worklist = await call(core, 'studies.worklist', {});
    const thresholds = await call(core, 'review.thresholds', {});
    return {
      studies: worklist.length,
      flagged: worklist.filter((row) => row.flagged).length,
      model: thresholds.model,
      threshold: thresholds.current,
    };
  });
  printResult(opts.json, summary, () =>
    [
      `The demo is loaded: ${summary.studies} studies, ${summary.flagged} flagged by "${summary.model?.name ?? 'no model'}".`,
      'Review it with `normscope serve` (or `npm start`) on the same data directory.',
    ].join('\n'),
  );
}
