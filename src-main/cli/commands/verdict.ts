/**
 * `normscope verdict`: records a reviewer's verdict on a study, for scripted
 * reviews. Like the viewer, a new verdict supersedes the study's current one
 * (kept in the history) and the service audits it.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { VerdictValue } from '../../api/contract/studies';
import { dataDirOption, jsonOption, printResult } from '../options';
import { reviewerNamed } from '../reviewer';
import { call, withCore } from '../with-core';

interface VerdictOptions {
  study: string;
  verdict: VerdictValue;
  reviewer: string;
  comment?: string;
  dataDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('verdict')
    .description("record a reviewer's verdict on a study (supersedes the study's current verdict)")
    .requiredOption('--study <uid>', 'Study Instance UID')
    .addOption(new Option('--verdict <value>', 'the verdict').choices(['normal', 'abnormal', 'uncertain']).makeOptionMandatory())
    .requiredOption('--reviewer <name>', 'who gives the verdict (created when the name is new)')
    .option('--comment <text>', 'free-text comment kept with the verdict')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: VerdictOptions) =>
      withCore(opts, async (core) => {
        // an unknown study fails before a new reviewer name is created
        await call(core, 'studies.get', { studyUid: opts.study });
        const reviewer = await reviewerNamed(core, opts.reviewer);
        const verdict = await call(core, 'review.verdict', {
          studyUid: opts.study,
          reviewerId: reviewer.id,
          verdict: opts.verdict,
          comment: opts.comment ?? '',
          regionMarks: [],
        });
        printResult(opts.json, verdict, () =>
          [
            `recorded verdict #${verdict.id}: ${verdict.verdict} on study ${verdict.studyUid} by ${verdict.reviewerName}`,
            verdict.supersedesId === null ? null : `supersedes verdict #${verdict.supersedesId} (kept in the history)`,
          ]
            .filter((line) => line !== null)
            .join('\n'),
        );
      }),
    );
}
