/**
 * `normscope thresholds`: the thresholds that turn a model's anomaly scores
 * into flags. `show` lists the current version and its history; `calibrate`
 * proposes thresholds at target false-positive rates on the normal studies
 * (normal verdicts, held-out validation studies) and, with `--save`, appends
 * them as a new version in the reviewer's name (the service audits it).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Calibration } from '../../api/contract/review';
import type { ThresholdView } from '../../api/contract/studies';
import { NormscopeError } from '../../api/errors';
import { dataDirOption, jsonOption, printResult } from '../options';
import { reviewerNamed } from '../reviewer';
import { call, withCore } from '../with-core';

interface ShowOptions {
  model?: string;
  dataDir?: string;
  json?: boolean;
}

interface CalibrateOptions extends ShowOptions {
  pixelFpr: number;
  imageFpr: number;
  save?: boolean;
  reviewer?: string;
}

/** Parser for a false-positive rate option (a fraction, 0.05 = 5%); a bad value is a usage error. */
function parseRate(value: string): number {
  const rate = Number(value);
  if (value.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new InvalidArgumentError('expected a fraction between 0 and 1 (0.05 = 5%)');
  }
  return rate;
}

const percent = (rate: number): string => `${(rate * 100).toPrecision(3)}%`;

function describeThreshold(t: ThresholdView): string {
  return `#${t.id}  pixel ${t.pixelThreshold.toPrecision(4)}  image ${t.imageThreshold.toPrecision(4)}  ${t.createdAt.slice(0, 16)} by ${t.createdBy}`;
}

function describeCalibration(c: Calibration): string {
  const sources = c.sources.map((s) => (s === 'verdict-normal' ? 'normal verdicts' : 'held-out validation studies')).join(' and ');
  return [
    `calibrated on ${c.normalStudies} normal stud${c.normalStudies === 1 ? 'y' : 'ies'} (${c.normalImages} images, ${c.normalPixels} map pixels; from ${sources})`,
    `pixel threshold ${c.pixelThreshold.toPrecision(4)}  (target false-positive rate ${percent(c.targetPixelFpr)}, achieved ${percent(c.achievedPixelFpr)})`,
    `image threshold ${c.imageThreshold.toPrecision(4)}  (target false-positive rate ${percent(c.targetImageFpr)}, achieved ${percent(c.achievedImageFpr)})`,
  ].join('\n');
}

export function register(program: Command): void {
  const thresholds = program
    .command('thresholds')
    .description("show or calibrate a model's thresholds (which scores are flagged)");
  thresholds
    .command('show')
    .description('the current thresholds of a model and their history, oldest first')
    .option('--model <id>', 'model version id (default: the active model)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: ShowOptions) =>
      withCore(opts, async (core) => {
        const result = await call(core, 'review.thresholds', opts.model ? { modelVersionId: opts.model } : {});
        printResult(opts.json, result, () => {
          if (!result.model) return 'no active model (normscope models activate ID, or pass --model ID)';
          const header = `model ${result.model.name} (${result.model.id})`;
          if (!result.current) return `${header}\nno thresholds yet (normscope thresholds calibrate --save --reviewer NAME)`;
          return [header, `current: ${describeThreshold(result.current)}`, 'history:', ...result.history.map((t) => `  ${describeThreshold(t)}`)].join('\n');
        });
      }),
    );
  thresholds
    .command('calibrate')
    .description('propose thresholds at target false-positive rates on normal studies; --save keeps them')
    .option('--model <id>', 'model version id (default: the active model)')
    .option('--pixel-fpr <rate>', 'share of normal map pixels allowed above the pixel threshold', parseRate, 0.01)
    .option('--image-fpr <rate>', 'share of normal images allowed above the image threshold', parseRate, 0.05)
    .option('--save', 'append the thresholds as a new version (audited; needs --reviewer)')
    .option('--reviewer <name>', 'who saves them (created when the name is new)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (opts: CalibrateOptions, command: Command) => {
      if (opts.save && !opts.reviewer?.trim()) command.error('error: --save needs --reviewer NAME (who saves the thresholds)', { exitCode: 2 });
      await withCore(opts, async (core) => {
        const modelVersionId = opts.model ?? (await call(core, 'review.thresholds', {})).model?.id;
        if (!modelVersionId) throw new NormscopeError('InvalidRequest', 'no active model to calibrate: pass --model ID or activate one (normscope models activate ID)');
        const calibration = await call(core, 'review.calibrate', {
          modelVersionId,
          targetPixelFpr: opts.pixelFpr,
          targetImageFpr: opts.imageFpr,
        });
        let saved: ThresholdView | null = null;
        if (opts.save) {
          const reviewer = await reviewerNamed(core, opts.reviewer!);
          saved = await call(core, 'review.saveThreshold', {
            modelVersionId,
            reviewerId: reviewer.id,
            pixelThreshold: calibration.pixelThreshold,
            imageThreshold: calibration.imageThreshold,
            method: {
              kind: 'normal-fpr',
              targetPixelFpr: calibration.targetPixelFpr,
              targetImageFpr: calibration.targetImageFpr,
              normalStudies: calibration.normalStudies,
              sources: calibration.sources,
              via: 'cli',
            },
          });
        }
        printResult(opts.json, { calibration, saved }, () =>
          [
            `model ${modelVersionId}`,
            describeCalibration(calibration),
            saved ? `saved as threshold version #${saved.id} by ${saved.createdBy}` : 'not saved (add --save --reviewer NAME to keep these thresholds)',
          ].join('\n'),
        );
      });
    });
}
