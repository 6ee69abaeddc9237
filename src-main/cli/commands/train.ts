/**
 * `normscope train`: trains a model version on normal studies through the
 * same job as the Training page (validated by the same contract), with one
 * progress line per epoch on stderr. Ctrl-C pauses the job at its last
 * checkpoint; it can be resumed from the window's job tray. `--flipped`
 * (causal only) also trains the flipped partner, after the main model.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type {
  JobInfo,
  ModelVersionInfo,
  Params,
  TrainingCurves,
  TrainingProgress,
  TrainingRunInfo,
} from '../../api/contract';
import { fromErrorValue, isErrorName, NormscopeError } from '../../api/errors';
import { createCore } from '../../core';
import type { Core } from '../../core';
import { dataDirFrom, dataDirOption, jsonOption, printResult } from '../options';

interface TrainOptions {
  normals?: string[];
  continue?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  warmup?: number;
  seed?: number;
  noiseP?: number;
  mode?: 'bidirectional' | 'causal' | 'standard';
  dilations?: number[];
  flipped?: boolean;
  validationShare?: number;
  backbone?: string;
  name?: string;
  dataDir?: string;
  json?: boolean;
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1)
    throw new InvalidArgumentError('expected a fraction in [0, 1)');
  return n;
}

function dilationList(value: string): number[] {
  const list = value.split(',').map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((d) => !Number.isInteger(d) || d < 1))
    throw new InvalidArgumentError('expected positive integers separated by commas, e.g. 1,2,4,8');
  return list;
}

export function register(program: Command): void {
  program
    .command('train')
    .description(
      "train a model version on normal studies (the paper's recipe unless told otherwise)",
    )
    .option(
      '--normals <spec...>',
      'Study Instance UIDs, "verdict:normal" (studies marked normal) or "all"',
    )
    .option(
      '--continue <runId>',
      'continue a failed or cancelled run from its last checkpoint instead',
    )
    .option('--epochs <n>', 'epochs (default 40)', integer(1))
    .option('--batch-size <n>', 'batch size (default 64)', integer(1))
    .option('--lr <x>', 'AdamW learning rate (default 1e-3)', positiveNumber)
    .option(
      '--warmup <steps>',
      'linear learning-rate warm-up steps (default 0, the paper)',
      integer(0),
    )
    .option(
      '--seed <n>',
      'seed of initial weights, shuffling, noise and the validation split (default 0)',
      integer(0),
    )
    .option('--noise-p <p>', 'probability of input noise per batch (default 0.2)', Number)
    .addOption(
      new Option('--mode <mode>', 'AR model mode (default bidirectional)').choices([
        'bidirectional',
        'causal',
        'standard',
      ]),
    )
    .option(
      '--dilations <list>',
      'dilation per layer, e.g. 4,4,4,4 (paper) or 1,2,4,8 (strict blind spot)',
      dilationList,
    )
    .option(
      '--flipped',
      'causal mode only: also train a partner on the flipped grid (seed + 1); the version averages both maps',
    )
    .option(
      '--validation-share <f>',
      'share of normal studies held out for validation, by study (default 0.2)',
      share,
    )
    .option('--backbone <id>', "backbone id (default: the active model's, or the only one)")
    .option('--name <name>', 'name of the model version')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: TrainOptions, command: Command) => train(opts, command));
}

function requestFrom(opts: TrainOptions & { normals: string[] }): Params<'training.start'> {
  const [first] = opts.normals;
  const normals =
    opts.normals.length === 1 && (first === 'all' || first === 'verdict:normal')
      ? first
      : opts.normals;
  const defined = <T extends object>(value: T): T =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  return defined({
    normals,
    recipe: defined({
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      lr: opts.lr,
      warmupSteps: opts.warmup,
      seed: opts.seed,
      noiseP: opts.noiseP,
    }),
    model: defined({ mode: opts.mode, dilations: opts.dilations, flipped: opts.flipped }),
    validationShare: opts.validationShare,
    backboneId: opts.backbone,
    name: opts.name,
  });
}

/** The curves of the model an event is about: the partner's in its phase, else the main model's. */
function curvesOf(progress: TrainingProgress): TrainingCurves {
  return progress.model === 'partner' && progress.partnerCurves
    ? progress.partnerCurves
    : progress.curves;
}

function epochLine(progress: TrainingProgress): string {
  const curves = curvesOf(progress);
  const epoch = curves.trainLoss.length;
  const val = curves.valLoss.at(-1);
  const aupr = curves.valAupr.at(-1);
  const eta =
    progress.etaSeconds === null ? '' : `, about ${Math.ceil(progress.etaSeconds)} s left`;
  const who =
    progress.models > 1
      ? progress.model === 'partner'
        ? 'flipped partner, '
        : 'main model, '
      : '';
  return (
    `${who}epoch ${epoch}/${progress.epochs}: train loss ${curves.trainLoss.at(-1)!.toPrecision(4)}` +
    (val === undefined ? '' : `, validation loss ${val.toPrecision(4)}`) +
    (aupr === undefined || aupr === null
      ? ''
      : `, validation AUPR ${aupr.toFixed(3)}${progress.model === 'partner' ? ' (pair)' : ''}`) +
    eta
  );
}

/** Resolves with the job once it ends or pauses; reports progress on stderr unless `quiet`. */
function followJob(core: Core, runId: string, jobId: string, quiet: boolean): Promise<JobInfo> {
  return new Promise((resolve) => {
    const epochsShown = { main: -1, partner: -1 };
    let featuresShown = -1;
    const stop = core.events.subscribe((event, payload) => {
      if (event === 'training.progress') {
        const progress = payload as TrainingProgress;
        if (progress.runId !== runId || quiet) return;
        if (progress.phase === 'features') {
          const tenth = Math.floor((10 * progress.done) / progress.total);
          if (tenth > featuresShown) {
            featuresShown = tenth;
            process.stderr.write(`features ${progress.done}/${progress.total}\n`);
          }
        } else {
          const curves = curvesOf(progress);
          // the checkpoint event of an epoch carries its validation AUPR: show the epoch once that is in
          if (
            curves.trainLoss.length > epochsShown[progress.model] &&
            curves.trainLoss.length > 0 &&
            curves.valAupr.length === curves.trainLoss.length
          ) {
            epochsShown[progress.model] = curves.trainLoss.length;
            process.stderr.write(`${epochLine(progress)}\n`);
          }
        }
      } else if (event === 'jobs.updated') {
        const job = payload as JobInfo;
        if (
          job.id !== jobId ||
          (job.state !== 'succeeded' &&
            job.state !== 'failed' &&
            job.state !== 'cancelled' &&
            job.state !== 'paused')
        )
          return;
        stop();
        resolve(job);
      }
    });
  });
}

async function train(opts: TrainOptions, command: Command): Promise<void> {
  const { normals } = opts;
  if (!normals?.length === !opts.continue) {
    throw new NormscopeError(
      'InvalidRequest',
      'name the normal studies with --normals, or a run to continue with --continue (not both)',
    );
  }
  // usage errors (exit 2) before any data directory is opened; the contract refuses the same again
  if (opts.flipped && opts.continue) {
    command.error(
      'error: --flipped cannot be used with --continue: a continued run keeps the settings it started with',
      { exitCode: 2 },
    );
  }
  if (opts.flipped && opts.mode !== 'causal') {
    command.error(
      `error: --flipped needs --mode causal (a flipped partner exists only for a causal model; mode is ${opts.mode ?? 'bidirectional'})`,
      { exitCode: 2 },
    );
  }
  const core = await createCore({ dataDir: dataDirFrom(opts), host: 'cli' });
  try {
    const started = normals
      ? await core.dispatch('training.start', requestFrom({ ...opts, normals }), {
          transport: 'cli',
        })
      : await core.dispatch('training.continue', { runId: opts.continue! }, { transport: 'cli' });
    if (!started.ok) throw fromErrorValue(started.error);
    const { runId, jobId } = started.result as { runId: string; jobId: string };
    if (!opts.json)
      process.stderr.write(
        `training run ${runId} ${normals ? 'started' : 'continues'} (Ctrl-C pauses it)\n`,
      );
    const pause = (): void => {
      core.jobs.pause(jobId);
    };
    process.once('SIGINT', pause);
    const job = await followJob(core, runId, jobId, opts.json === true).finally(() =>
      process.off('SIGINT', pause),
    );
    const run = (await core.dispatch('training.run', { runId }, { transport: 'cli' })) as {
      ok: true;
      result: TrainingRunInfo;
    };
    if (job.state === 'paused') {
      const partner = run.result.partner;
      const where =
        partner && (partner.epochsDone > 0 || run.result.epochsDone === run.result.recipe.epochs)
          ? `the flipped partner's epoch ${partner.epochsDone}`
          : `epoch ${run.result.epochsDone}`;
      throw new NormscopeError(
        'Cancelled',
        `training run ${runId} paused after ${where}; resume it from the job tray (job ${jobId})`,
      );
    }
    if (job.state !== 'succeeded') {
      const why = job.error ?? {
        name: 'Cancelled',
        message: `training run ${runId} was cancelled`,
      };
      throw new NormscopeError(isErrorName(why.name) ? why.name : 'Internal', why.message);
    }
    const model = await core.dispatch(
      'models.get',
      { id: run.result.modelVersionId! },
      { transport: 'cli' },
    );
    const version = model.ok ? (model.result as ModelVersionInfo) : null;
    printResult(opts.json, { run: run.result, model: version }, () =>
      [
        `model version "${version?.name}" (${run.result.modelVersionId}) trained on ${run.result.trainingStudies.length} studies, ` +
          `validated on ${run.result.validationStudies.length}`,
        `final train loss ${version?.metrics.finalTrainLoss?.toPrecision(4) ?? 'n/a'}, ` +
          `validation loss ${version?.metrics.finalValLoss?.toPrecision(4) ?? 'n/a'}, ` +
          `plateau after epoch ${version?.metrics.plateauEpoch ?? 'n/a'}`,
        ...(run.result.partner
          ? [
              `with a flipped partner (seed ${run.result.partner.seed}), maps averaged: partner train loss ` +
                `${run.result.partner.curves.trainLoss.at(-1)?.toPrecision(4) ?? 'n/a'}, validation AUPR of the pair ` +
                `${version?.metrics.valAupr?.toFixed(3) ?? 'n/a'}`,
            ]
          : []),
        `activate it with: normscope models activate ${run.result.modelVersionId}`,
      ].join('\n'),
    );
  } finally {
    await core.close();
  }
}
