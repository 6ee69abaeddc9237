/**
 * `normscope report --from DATE --to DATE --out report.pdf [--csv f] [--json f]`:
 * the audit report of a period (scope, one row per study, agreement figures,
 * key images, the audit chain's state, the content hash), written atomically;
 * existing files are kept unless --force.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { packageVersion } from '../../core/package-info';
import { WorkerSupervisor } from '../../jobs/supervisor';
import { buildReport } from '../../reports/build';
import { exportReport, refuseExisting, resolveOutputs } from '../../reports/export';
import { workerDecoder } from '../../reports/service';
import { dataDirFrom, dataDirOption, printResult } from '../options';
import { openExistingStore } from './audit';

interface ReportOptions {
  from: string;
  to: string;
  reviewer?: string;
  model?: string;
  deidentify?: boolean;
  out: string;
  csv?: string;
  json?: string;
  force?: boolean;
  by?: string;
  dataDir?: string;
  printJson?: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('write the audit report of a period: PDF, and optionally CSV and JSON')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD (UTC)')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD (UTC), inclusive')
    .option('--reviewer <name>', "only this reviewer's verdicts")
    .option('--model <version>', "only this model version's scores (id or name)")
    .option(
      '--deidentify',
      'de-identify patients, reviewers, dates and UIDs (DICOM PS3.15 basic profile)',
    )
    .requiredOption('--out <file.pdf>', 'the PDF to write')
    .option('--csv <file.csv>', 'also write the rows as CSV')
    .option('--json <file.json>', 'also write the report model as JSON')
    .option('--force', 'replace existing files')
    .option('--by <name>', 'who asks, for the audit trail (default: system)')
    .addOption(dataDirOption())
    .addOption(new Option('--print-json', 'print the result as JSON'))
    .action(report);
}

async function report(opts: ReportOptions): Promise<void> {
  const outputs = { pdf: opts.out, csv: opts.csv, json: opts.json };
  refuseExisting(resolveOutputs(outputs), opts.force === true);
  const store = openExistingStore(dataDirFrom(opts));
  const workers = new WorkerSupervisor({ maxWorkers: 1 });
  try {
    const built = await buildReport(
      store,
      {
        from: opts.from,
        to: opts.to,
        reviewer: opts.reviewer,
        modelVersion: opts.model,
        deidentify: opts.deidentify === true,
      },
      { decode: workerDecoder(workers), normscopeVersion: packageVersion() },
    );
    const files = await exportReport(store, built, outputs, {
      overwrite: opts.force === true,
      actor: opts.by ?? 'system',
    });
    const result = {
      contentSha256: built.contentSha256,
      files,
      studies: built.model.rows.length,
      keyImages: built.model.keyImages.length,
      keyImageProblems: built.model.keyImageProblems,
      audit: built.model.audit,
    };
    printResult(opts.printJson, result, () =>
      [
        ...files.map((file) => `${file.kind.toUpperCase()} ${file.path} (${file.bytes} bytes)`),
        `${result.studies} studies, ${result.keyImages} key images${built.model.keyImageProblems.length ? `, ${built.model.keyImageProblems.length} key images missing` : ''}`,
        built.model.audit.summary,
        `content sha256 ${built.contentSha256}`,
      ].join('\n'),
    );
  } finally {
    await workers.dispose();
    store.close();
  }
}
