/**
 * `normscope backbone`: backbone files. `standin` writes a seeded random ViT
 * with DINOv3's interface (for tests, benchmarks and demos, never clinical
 * use); `probe` reports how an ONNX backbone is laid out, or why it is refused;
 * `import` adds one to the data directory (probed in a supervised worker) and
 * `list` shows those imported.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { BackboneManifest } from '../../ml/backbone/manifest';
import { buildStandInBackbone, STANDIN_PRESETS } from '../../ml/backbone/standin';
import type { StandInPreset } from '../../ml/backbone/standin';
import type { BackboneInfo } from '../../api/contract';
import { dataDirOption, jsonOption, printResult } from '../options';
import { call, withCore } from '../with-core';

interface StandInOptions {
  preset: StandInPreset;
  seed: number;
  out: string;
  json?: boolean;
}

export function register(program: Command): void {
  const backbone = program
    .command('backbone')
    .description('generate or inspect backbone models (ONNX)');
  backbone
    .command('standin')
    .description(
      "write a seeded random ViT with DINOv3 ViT-S/16's interface (NOT for clinical use)",
    )
    .addOption(
      new Option('--preset <preset>', 'tiny (fast tests) or vits16 (ViT-S/16 size and cost)')
        .choices(Object.keys(STANDIN_PRESETS))
        .default('tiny'),
    )
    .option('--seed <n>', 'seed of the random weights', parseSeed, 0)
    .requiredOption('--out <file.onnx>', 'where to write the model')
    .addOption(jsonOption())
    .action(writeStandIn);
  backbone
    .command('probe')
    .description(
      'load an ONNX backbone, run a test image and print its manifest (layout, sizes, licence)',
    )
    .argument('<file.onnx>', 'the model file')
    .addOption(jsonOption())
    .action(async (file: string, opts: { json?: boolean }) => {
      // loaded on use: ONNX Runtime is a large native library the other commands do not need
      const { probeBackbone } = await import('../../ml/backbone/probe');
      const manifest = await probeBackbone(resolve(file));
      printResult(opts.json, manifest, () => describeManifest(manifest));
    });
  backbone
    .command('import')
    .description(
      'import an ONNX backbone into the data directory (probed first; refused with the reason)',
    )
    .argument('<file.onnx>', 'the model file; external data files must lie in its folder')
    .option('--name <name>', 'display name (default: the file name)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (file: string, opts: { name?: string; dataDir?: string; json?: boolean }) => {
      const imported = await withCore(opts, (core) =>
        call(core, 'backbones.import', {
          path: resolve(file),
          ...(opts.name ? { name: opts.name } : {}),
        }),
      );
      printResult(opts.json, imported, () =>
        [
          imported.alreadyImported ? 'already imported:' : 'imported:',
          describeBackbone(imported.backbone),
        ].join(' '),
      );
    });
  backbone
    .command('list')
    .description('the backbones imported into the data directory, oldest first')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const backbones = await withCore(opts, (core) => call(core, 'backbones.list', {}));
      printResult(opts.json, backbones, () =>
        backbones.length === 0
          ? 'no backbone imported yet'
          : backbones.map(describeBackbone).join('\n'),
      );
    });
}

function describeBackbone(b: BackboneInfo): string {
  const warning = b.standIn ? ' [stand-in: NOT for clinical use]' : '';
  return `${b.name} (${b.family}, ${b.embedDim} channels, ${b.grid}x${b.grid} grid, sha256 ${b.sha256.slice(0, 12)}, id ${b.id})${warning}`;
}

function writeStandIn(opts: StandInOptions): void {
  const bytes = buildStandInBackbone({ preset: opts.preset, seed: opts.seed });
  const out = resolve(opts.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const result = {
    out,
    preset: opts.preset,
    seed: opts.seed,
    bytes: bytes.byteLength,
    sha256,
    standIn: true,
  };
  printResult(
    opts.json,
    result,
    () =>
      `wrote the ${opts.preset} stand-in backbone (seed ${opts.seed}, ${(bytes.byteLength / 1e6).toFixed(1)} MB, sha256 ${sha256.slice(0, 12)}) to ${out}\n` +
      'random weights: for tests, benchmarks and demos, NOT for clinical use',
  );
}

function describeManifest(m: BackboneManifest): string {
  const lines = [
    `${m.name}: ${m.family}${m.standIn ? ' (stand-in, NOT for clinical use)' : ''}`,
    `input ${m.inputName} [B, 3, ${m.inputSize}, ${m.inputSize}]${m.dynamicSize ? ' (dynamic size)' : ' (fixed size)'}`,
    `output ${m.outputName}: ${m.outputLayout === 'tokens' ? `[B, ${m.prefixTokens} + ${m.grid * m.grid}, ${m.embedDim}] tokens` : `[B, ${m.embedDim}, ${m.grid}, ${m.grid}]`}`,
    `patch ${m.patchSize} px, grid ${m.grid}x${m.grid}, ${m.embedDim} channels, ${m.prefixTokens} prefix tokens`,
    `sha256 ${m.sha256}`,
    ...m.notes,
    m.licenceNote,
  ];
  return lines.join('\n');
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seed))
    throw new InvalidArgumentError('expected a non-negative integer');
  return seed;
}
