/**
 * `normscope dicom info <file>`: what the importer sees in one file, the
 * header summary and per frame min, max, mean and sha256 of the stored values.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { NormscopeError } from '../../api/errors';
import { dicomInfo, formatDicomInfo } from '../../dicom/info';
import { jsonOption, printResult } from '../options';

export function register(program: Command): void {
  const dicom = program.command('dicom').description('inspect DICOM files');
  dicom
    .command('info <file>')
    .description('header summary and per-frame statistics and sha256 of the decoded stored values')
    .addOption(jsonOption())
    .action(async (file: string, opts: { json?: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new NormscopeError(
          'NotFound',
          `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
      const info = await dicomInfo(bytes, file);
      printResult(opts.json, info, () => formatDicomInfo(info));
    });
}
