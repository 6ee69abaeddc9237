/**
 * `normscope models`: the model registry from the command line: list
 * versions, activate one, roll back, and move a version between workstations
 * as one bundle file. Works on the store directly (no job manager), so a
 * quick look never touches a training job waiting to be resumed.
 */
import type { Command } from 'commander';
import type { ModelVersionInfo } from '../../api/contract';
import { exportModel, importModel } from '../../models/bundle-files';
import { activateModel, listModels, rollbackModel } from '../../models/registry';
import { openStore } from '../../store/store';
import type { Store } from '../../store/store';
import { dataDirFrom, dataDirOption, jsonOption, printResult } from '../options';

interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

const CLI_ACTOR = 'system';

async function withStore<T>(opts: CommonOptions, work: (store: Store) => Promise<T> | T): Promise<T> {
  const store = openStore({ dataDir: dataDirFrom(opts) });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

function describeModel(m: ModelVersionInfo): string {
  const flags = [
    m.active ? 'ACTIVE' : null,
    m.backbone.standIn ? 'stand-in backbone: not for clinical use' : null,
    m.strictBlindSpot ? 'strict blind spot' : 'not a strict blind spot',
  ].filter(Boolean);
  const loss = m.metrics.finalValLoss === null ? '' : `, validation loss ${m.metrics.finalValLoss.toPrecision(4)}`;
  return `${m.id}  ${m.name}  ${m.mode} [${m.dilations.join(',')}]  ${m.createdAt.slice(0, 16)} by ${m.createdBy}${loss}  (${flags.join('; ')})`;
}

function activationText(result: { model: ModelVersionInfo; studiesScoredByOtherVersions: number }): string {
  const stale = result.studiesScoredByOtherVersions;
  return (
    `active model: ${result.model.name} (${result.model.id})` +
    (stale > 0 ? `\n${stale} stud${stale === 1 ? 'y keeps its score' : 'ies keep their scores'} from other versions until rescored (normscope score --all-unscored)` : '')
  );
}

export function register(program: Command): void {
  const models = program.command('models').description('list, activate, roll back, export and import model versions');
  models
    .command('list')
    .description('model versions, oldest first')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: CommonOptions) =>
      withStore(opts, (store) => {
        const list = listModels(store);
        printResult(opts.json, list, () => (list.length ? list.map(describeModel).join('\n') : 'no model versions'));
      }),
    );
  models
    .command('activate <id>')
    .description('make a version the one that scores from now on (old scores keep their version)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((id: string, opts: CommonOptions) =>
      withStore(opts, (store) => {
        const result = activateModel(store, id, CLI_ACTOR);
        printResult(opts.json, result, () => activationText(result));
      }),
    );
  models
    .command('rollback')
    .description('activate the version that was active before the current one')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: CommonOptions) =>
      withStore(opts, (store) => {
        const result = rollbackModel(store, CLI_ACTOR);
        printResult(opts.json, result, () => activationText(result));
      }),
    );
  models
    .command('export <id>')
    .description('write a version with its thresholds and provenance to one bundle file')
    .requiredOption('--out <file>', 'the bundle file to write')
    .option('--force', 'replace the file if it exists')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((id: string, opts: CommonOptions & { out: string; force?: boolean }) =>
      withStore(opts, async (store) => {
        const result = await exportModel(store, id, opts.out, opts.force === true, CLI_ACTOR);
        printResult(opts.json, result, () => `wrote ${result.path} (${result.bytes} bytes, sha256 ${result.sha256})`);
      }),
    );
  models
    .command('import <file>')
    .description('import a bundle: its backbone must be imported here (same sha256)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((file: string, opts: CommonOptions) =>
      withStore(opts, async (store) => {
        const model = await importModel(store, file, CLI_ACTOR);
        printResult(opts.json, model, () => `imported ${describeModel(model)}`);
      }),
    );
}
