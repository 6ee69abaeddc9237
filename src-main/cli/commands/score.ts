/**
 * `normscope score`: scores studies with the active model (or `--model`), as
 * the workstation's scoring job does, with progress on stderr; Ctrl-C cancels
 * the job (the maps already stored stay with their run).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ScoringRequest } from '../../api/contract';
import { NormscopeError } from '../../api/errors';
import { startScoring } from '../../engine/scoring';
import type { ScoringSummary } from '../../engine/scoring';
import { dataDirOption, jsonOption, printResult } from '../options';
import { progressReporter } from '../progress';
import { withCore } from '../with-core';

interface ScoreOptions {
  study?: string[];
  allUnscored?: boolean;
  series?: string;
  model?: string;
  topK?: number;
  dataDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('score')
    .description(
      'score studies with the active model (anomaly maps, image, series and study scores)',
    )
    .option('--study <uid...>', 'Study Instance UIDs to score')
    .option('--all-unscored', 'every study without a score from the model')
    .option('--series <uid>', 'only this series (of one of the --study studies)')
    .option('--model <id>', 'model version id (default: the active model)')
    .option(
      '--top-k <k>',
      'image score = mean of the k highest patches instead of the maximum',
      parseK,
    )
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(score);
}

async function score(opts: ScoreOptions): Promise<void> {
  if (!opts.study?.length === !opts.allUnscored) {
    throw new NormscopeError(
      'InvalidRequest',
      'name the studies with --study UID ..., or pass --all-unscored (not both)',
    );
  }
  const request: ScoringRequest = {
    studyUids: opts.allUnscored ? 'unscored' : opts.study!,
    ...(opts.series ? { seriesUid: opts.series } : {}),
    ...(opts.model ? { modelVersionId: opts.model } : {}),
    options: { imageScore: opts.topK ? { topKMean: opts.topK } : 'max', studyScore: 'max' },
  };
  const summary = await withCore(opts, async (core) => {
    const job = startScoring(core, request);
    const progress = progressReporter();
    const stopListening = core.events.subscribe((event, payload) => {
      if (event !== 'jobs.updated') return;
      const info = payload as { id: string; progress: number | null; message: string };
      if (info.id !== job.id) return;
      progress.update(info.progress, info.message);
    });
    const cancel = (): void => {
      core.jobs.cancel(job.id);
    };
    process.once('SIGINT', cancel);
    try {
      return await job.result;
    } finally {
      process.off('SIGINT', cancel);
      stopListening();
      progress.finish();
    }
  });
  printResult(opts.json, summary, () => describe(summary));
}

function describe(summary: ScoringSummary): string {
  if (summary.frames === 0) return 'nothing to score';
  const lines = [
    `scored ${summary.framesScored} of ${summary.frames} frames in ${summary.studies} stud${summary.studies === 1 ? 'y' : 'ies'} (run ${summary.runId})`,
    ...summary.studyScores.map((s) => `  study ${s.studyUid}: ${s.score.toPrecision(4)}`),
  ];
  return lines.join('\n');
}

function parseK(value: string): number {
  const k = Number(value);
  if (!/^\d+$/.test(value) || k < 1)
    throw new InvalidArgumentError('expected a whole number of patches, at least 1');
  return k;
}
