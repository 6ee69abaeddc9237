/**
 * `normscope audit verify`: checks the whole audit chain (hash links, then the
 * head anchor outside the database) and names the first broken entry; exit 1
 * when it is broken. `normscope audit list`: the newest entries.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { NormscopeError } from '../../api/errors';
import { listAuditEntries, verifyAuditChain } from '../../audit/chain-status';
import { dataDirLayout } from '../../store/data-dir';
import { openStore } from '../../store/store';
import type { Store } from '../../store/store';
import { dataDirFrom, dataDirOption, jsonOption, printResult } from '../options';

export function register(program: Command): void {
  const audit = program.command('audit').description('check and read the audit trail');
  audit
    .command('verify')
    .description(
      'check the hash chain and its head anchor; names the first broken entry, exit 1 when broken',
    )
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: { dataDir?: string; json?: boolean }) => {
      const store = openExistingStore(dataDirFrom(opts));
      try {
        const status = verifyAuditChain(store);
        printResult(opts.json, status, () => status.summary);
        // EXIT_FAILURE of program.ts (not imported: program.ts imports the commands)
        if (!status.ok) process.exitCode = 1;
      } finally {
        store.close();
      }
    });
  audit
    .command('list')
    .description('the newest audit entries, newest first')
    .option('--limit <n>', 'entries to show (1-500)', parseLimit, 20)
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action((opts: { dataDir?: string; json?: boolean; limit: number }) => {
      const store = openExistingStore(dataDirFrom(opts));
      try {
        const page = listAuditEntries(store, opts.limit);
        printResult(opts.json, page, () =>
          page.entries
            .map(
              (e) =>
                `#${e.seq}  ${e.time}  ${e.actor}  ${e.action}  ${JSON.stringify(e.objectIds)}`,
            )
            .join('\n'),
        );
      } finally {
        store.close();
      }
    });
}

/**
 * The store of a data directory that has one: checking a mistyped path must
 * not create an empty database and call its chain verified.
 */
export function openExistingStore(dataDir: string): Store {
  if (!existsSync(dataDirLayout(dataDir).databasePath)) {
    throw new NormscopeError(
      'NotFound',
      `${dataDir} holds no Normscope database; check --data-dir`,
    );
  }
  return openStore({ dataDir });
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 500)
    throw new InvalidArgumentError('expected a number from 1 to 500');
  return n;
}
