/**
 * `normscope evaluate --bmad <dir> --backbone <file.onnx>`: train the AR model
 * on a BMAD-layout folder's normal images and report the paper's metrics on
 * its test split (src-main/evaluate/evaluate.ts). Headless and store-free: it
 * reads PNGs and one ONNX file and runs everything in this process.
 * Progress goes to stderr, the result to stdout (JSON with --json).
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { AR_MODES } from '../../ml/ar/config';
import type { ArMode } from '../../ml/ar/config';
import { evaluateBmad } from '../../evaluate/evaluate';
import type { EvaluateProgress, EvaluationResult } from '../../evaluate/evaluate';
import { formatEvaluation } from '../../evaluate/format';
import { jsonOption, printResult } from '../options';
import { progressReporter } from '../progress';

interface EvaluateCliOptions {
  bmad: string;
  backbone: string;
  mode: ArMode;
  dilations?: number[];
  hidden?: number;
  flipped?: boolean;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  warmup?: number;
  seed?: number;
  threads?: number;
  inputSize?: number;
  json?: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number');
  return n;
}

function dilationList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0))
    throw new InvalidArgumentError('expected positive integers separated by commas, e.g. 1,2,4,8');
  return parts.map(Number);
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'train on a BMAD-layout folder (train/good) and report pixel AUROC/AUPR and image AUROC on test/, ' +
        'over the whole image and the foreground; valid/ (optional) selects the checkpoint, test/ never does',
    )
    .requiredOption('--bmad <dir>', 'data set in BMAD folder layout')
    .requiredOption('--backbone <file.onnx>', 'DINOv3-style ONNX backbone (or a stand-in)')
    .addOption(
      new Option('--mode <mode>', 'AR model mode').choices([...AR_MODES]).default('bidirectional'),
    )
    .option(
      '--dilations <list>',
      'dilation per layer, e.g. 4,4,4,4 (paper) or 1,2,4,8 (strict blind spot)',
      dilationList,
    )
    .option('--hidden <n>', 'hidden channels of the AR model (default 256)', positiveInteger)
    .option('--flipped', 'causal mode: also train a model on the flipped grid and average the maps')
    .option('--epochs <n>', 'training epochs (default 40)', positiveInteger)
    .option('--lr <x>', 'AdamW learning rate (default 1e-3)', positiveNumber)
    .option('--batch-size <n>', 'training batch size (default 64)', positiveInteger)
    .option('--warmup <n>', 'linear learning-rate warm-up in steps (default 0)', nonNegativeInteger)
    .option('--seed <n>', 'seed of weights, shuffling and noise (default 0)', nonNegativeInteger)
    .option(
      '--threads <n>',
      'ONNX Runtime threads per operator (default one per core)',
      positiveInteger,
    )
    .option(
      '--input-size <px>',
      'backbone input side for dynamic-size backbones (default 448: a 28x28 grid)',
      positiveInteger,
    )
    .addOption(jsonOption())
    .action(async (opts: EvaluateCliOptions) => {
      const result: EvaluationResult = await evaluateBmad({
        bmadDir: resolve(opts.bmad),
        backbonePath: resolve(opts.backbone),
        model: {
          mode: opts.mode,
          ...(opts.dilations ? { dilations: opts.dilations } : {}),
          ...(opts.hidden ? { hidden: opts.hidden } : {}),
        },
        flipped: opts.flipped === true,
        recipe: {
          ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
          ...(opts.lr !== undefined ? { lr: opts.lr } : {}),
          ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
          ...(opts.warmup !== undefined ? { warmupSteps: opts.warmup } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        },
        ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
        ...(opts.inputSize !== undefined ? { inputSize: opts.inputSize } : {}),
        onProgress: progressPrinter(),
      });
      printResult(opts.json, result, () => formatEvaluation(result));
    });
}

/** Feature extraction as a progress line per split, then one line per training epoch. */
function progressPrinter(): (progress: EvaluateProgress) => void {
  const features = progressReporter();
  return (progress) => {
    if (progress.phase === 'features') {
      features.update(progress.done / Math.max(1, progress.total), `features: ${progress.split}, ${progress.total} images`);
      if (progress.done === progress.total) features.finish();
      return;
    }
    const model = progress.models > 1 ? `model ${progress.model}/${progress.models} ` : '';
    const validation =
      progress.validation === undefined ? '' : `, validation ${progress.validation.toPrecision(4)}`;
    console.error(
      `training ${model}epoch ${progress.epoch}/${progress.epochs}: loss ${progress.loss.toPrecision(4)}${validation}`,
    );
  };
}
