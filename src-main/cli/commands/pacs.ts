/**
 * `normscope pacs`: PACS endpoints and DICOMweb query/retrieve from the
 * command line, through the same service as the workstation. Secrets are never
 * taken on the command line (they would land in shell history and process
 * lists): `--password-env VAR` / `--token-env VAR` name an environment
 * variable that holds them.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { PacsQuery } from '../../api/contract';
import { NormscopeError } from '../../api/errors';
import type { Core } from '../../core';
import type { PacsAuth } from '../../pacs/dicomweb-session';
import { keyFileSecretStore } from '../../pacs/secret-store';
import { createPacsService, type PacsService, type PacsTarget } from '../../pacs/service';
import type { RetrieveSummary } from '../../pacs/retrieve';
import { dataDirOption, jsonOption, printResult } from '../options';
import { call, withCore } from '../with-core';

interface AuthOptions {
  user?: string;
  passwordEnv?: string;
  tokenEnv?: string;
}

interface TargetOptions extends AuthOptions {
  url?: string;
  endpoint?: string;
  dataDir?: string;
  json?: boolean;
}

function authOptions(command: Command): Command {
  return command
    .option('--user <name>', 'user name for HTTP basic authentication (with --password-env)')
    .option('--password-env <VAR>', 'environment variable holding the password')
    .addOption(
      new Option('--token-env <VAR>', 'environment variable holding a bearer token').conflicts([
        'user',
        'passwordEnv',
      ]),
    );
}

function targetOptions(command: Command): Command {
  return authOptions(
    command
      .option('--url <url>', 'DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web')
      .option('--endpoint <name>', 'a saved endpoint (name or id) instead of --url'),
  )
    .addOption(dataDirOption())
    .addOption(jsonOption());
}

function fromEnv(variable: string, what: string): string {
  const value = process.env[variable];
  if (!value)
    throw new NormscopeError(
      'InvalidRequest',
      `the environment variable ${variable} (${what}) is not set or empty`,
    );
  return value;
}

/** --user/--password-env/--token-env -> PacsAuth (none when none is given). */
function authFrom(opts: AuthOptions): PacsAuth {
  if (opts.tokenEnv) return { kind: 'bearer', token: fromEnv(opts.tokenEnv, 'bearer token') };
  if (opts.user || opts.passwordEnv) {
    if (!opts.user || !opts.passwordEnv) {
      throw new NormscopeError(
        'InvalidRequest',
        'basic authentication needs both --user and --password-env',
      );
    }
    return { kind: 'basic', username: opts.user, password: fromEnv(opts.passwordEnv, 'password') };
  }
  return { kind: 'none' };
}

function targetFrom(opts: TargetOptions): PacsTarget {
  if (!opts.url === !opts.endpoint) {
    throw new NormscopeError(
      'InvalidRequest',
      'name the PACS with --url URL or --endpoint NAME (one of them)',
    );
  }
  if (opts.endpoint) {
    if (opts.user || opts.passwordEnv || opts.tokenEnv) {
      throw new NormscopeError(
        'InvalidRequest',
        'a saved endpoint brings its own credentials; drop --user/--password-env/--token-env',
      );
    }
    return { endpointId: opts.endpoint };
  }
  return { connection: { baseUrl: opts.url!, auth: authFrom(opts) } };
}

function serviceOf(core: Core): PacsService {
  return createPacsService({ ...core, secrets: keyFileSecretStore(core.dataDir) });
}

export function register(program: Command): void {
  const pacs = program
    .command('pacs')
    .description('PACS endpoints, query and retrieve over DICOMweb');

  authOptions(
    pacs
      .command('add')
      .description('save a PACS endpoint (secrets are encrypted at rest, never printed)')
      .requiredOption('--name <name>', 'a name to refer to it by')
      .requiredOption('--url <url>', 'DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web'),
  )
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(
      async (
        opts: AuthOptions & { name: string; url: string; dataDir?: string; json?: boolean },
      ) => {
        const auth = authFrom(opts);
        const saved = await withCore(opts, (core) =>
          call(core, 'pacs.endpoints.save', {
            name: opts.name,
            baseUrl: opts.url,
            auth:
              auth.kind === 'basic'
                ? { kind: 'basic', username: auth.username, password: auth.password }
                : auth,
          }),
        );
        printResult(
          opts.json,
          saved,
          () => `saved ${saved.name} (${saved.baseUrl}, ${describeAuth(saved.auth)})`,
        );
      },
    );

  pacs
    .command('list')
    .description('the saved PACS endpoints and where their secrets are kept')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const listed = await withCore(opts, (core) => call(core, 'pacs.endpoints.list', {}));
      printResult(opts.json, listed, () =>
        [
          ...listed.endpoints.map(
            (e) => `${e.name}  ${e.baseUrl}  ${describeAuth(e.auth)}  (id ${e.id})`,
          ),
          listed.endpoints.length === 0
            ? 'no PACS endpoint saved (normscope pacs add --name N --url URL)'
            : '',
          `secrets: ${listed.secretStorage.description}`,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  targetOptions(
    pacs
      .command('test')
      .description(
        'check the connection with a study query (QIDO-RS /studies?limit=1); exit 1 when it fails',
      ),
  ).action(async (opts: TargetOptions) => {
    const result = await withCore(opts, (core) => serviceOf(core).testConnection(targetFrom(opts)));
    printResult(opts.json, result, () => result.message);
    if (!result.ok) process.exitCode = 1;
  });

  targetOptions(
    pacs
      .command('query')
      .description('search the PACS for studies (QIDO-RS)')
      .option('--patient-id <id>', 'Patient ID')
      .option(
        '--patient-name <name>',
        'patient name; without * it matches names that start with it',
      )
      .option('--date-from <YYYYMMDD>', 'studies on or after this date')
      .option('--date-to <YYYYMMDD>', 'studies on or before this date')
      .option('--modality <code>', 'a modality in the study, e.g. MR')
      .option('--accession <number>', 'Accession Number')
      .option('--limit <n>', 'most studies returned', (v) => Number(v), 100),
  ).action(
    async (
      opts: TargetOptions & {
        patientId?: string;
        patientName?: string;
        dateFrom?: string;
        dateTo?: string;
        modality?: string;
        accession?: string;
        limit: number;
      },
    ) => {
      const query: PacsQuery = {
        patientId: opts.patientId,
        patientName: opts.patientName,
        dateFrom: opts.dateFrom,
        dateTo: opts.dateTo,
        modality: opts.modality,
        accessionNumber: opts.accession,
        limit: opts.limit,
      };
      const studies = await withCore(opts, (core) =>
        serviceOf(core).query(targetFrom(opts), query),
      );
      printResult(opts.json, { studies }, () =>
        studies.length === 0
          ? 'no study matches'
          : studies
              .map(
                (s) =>
                  `${s.studyUid}  ${s.studyDate ?? '-'}  ${s.modalities.join('/') || '-'}  ${s.instanceCount ?? '?'} instances` +
                  `${s.localInstances ? ` (${s.localInstances} local)` : ''}  ${s.description ?? ''}`,
              )
              .join('\n'),
      );
    },
  );

  targetOptions(
    pacs
      .command('retrieve')
      .description(
        'retrieve studies into the local store (WADO-RS per instance; instances already stored are skipped)',
      )
      .requiredOption('--study <uid...>', 'Study Instance UIDs'),
  ).action(async (opts: TargetOptions & { study: string[] }) => {
    const summary = await withCore(opts, async (core) => {
      const job = serviceOf(core).startRetrieve(targetFrom(opts), opts.study);
      const stopListening = core.events.subscribe((event, payload) => {
        if (event !== 'jobs.updated') return;
        const info = payload as { id: string; progress: number | null; message: string };
        if (info.id !== job.id) return;
        const percent = info.progress === null ? '' : `${Math.round(info.progress * 100)}% `;
        process.stderr.write(`${percent}${info.message}\n`);
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
      }
    });
    printResult(opts.json, summary, () => describeRetrieval(summary));
    if (summary.studies.some((s) => !s.complete)) process.exitCode = 1;
  });

  registerPush(pacs);
}

function registerPush(pacs: Command): void {
  targetOptions(
    pacs
      .command('push')
      .description(
        "send a study's results (scores as a Comprehensive SR, anomaly regions as Segmentations) by STOW-RS; needs the push option on (normscope pacs options --push on)",
      )
      .requiredOption('--study <uid>', 'Study Instance UID of a scored study')
      .option(
        '--deidentify',
        'de-identify the objects (PS3.15 Annex E basic profile, modified dates)',
      ),
  ).action(async (opts: TargetOptions & { study: string; deidentify?: boolean }) => {
    const outcome = await withCore(opts, (core) =>
      serviceOf(core).pushResults(targetFrom(opts), opts.study, {
        deidentify: Boolean(opts.deidentify),
      }),
    );
    printResult(opts.json, outcome, () =>
      [
        ...outcome.objects.map(
          (o) => `sent ${OBJECT_NAMES[o.kind]} ${o.sopInstanceUid} (${o.bytes} bytes)`,
        ),
        ...outcome.notes,
      ].join('\n'),
    );
  });
  pacs
    .command('options')
    .description(
      'show or change the PACS options: auto-score retrieved studies, allow sending results (both off by default)',
    )
    .option('--auto-score <on|off>', 'score retrieved studies with the active model', parseOnOff)
    .option(
      '--push <on|off>',
      'allow sending results to a PACS (every send is audited)',
      parseOnOff,
    )
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(
      async (opts: { autoScore?: boolean; push?: boolean; dataDir?: string; json?: boolean }) => {
        const patch = {
          ...(opts.autoScore === undefined ? {} : { autoScore: opts.autoScore }),
          ...(opts.push === undefined ? {} : { pushResults: opts.push }),
        };
        const options = await withCore(opts, (core) =>
          Object.keys(patch).length > 0
            ? call(core, 'pacs.options.update', patch)
            : call(core, 'pacs.options.get', {}),
        );
        printResult(
          opts.json,
          options,
          () =>
            `auto-score retrieved studies: ${options.autoScore ? 'on' : 'off'}\nsend results to a PACS: ${options.pushResults ? 'on' : 'off'}`,
        );
      },
    );
}

function parseOnOff(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('expected on or off');
  return value === 'on';
}

const OBJECT_NAMES = {
  sr: 'scores SR',
  pmap: 'anomaly Parametric Map',
  seg: 'anomaly Segmentation',
} as const;

function describeAuth(auth: { kind: string; username?: string; secret?: string }): string {
  if (auth.kind === 'none') return 'no authentication';
  if (auth.kind === 'basic') return `basic auth as ${auth.username}, password ${auth.secret}`;
  return `bearer token ${auth.secret}`;
}

function describeRetrieval(summary: RetrieveSummary): string {
  const lines = summary.studies.map(
    (s) =>
      `${s.studyUid}: ${s.retrieved} retrieved, ${s.skipped} already stored, ${s.failed.length} failed of ${s.instances}` +
      (s.complete ? '' : ' (incomplete: run again to continue)') +
      s.failed.map((f) => `\n  ${f.sopInstanceUid}: ${f.reason}`).join(''),
  );
  if (summary.scoring) lines.push(`scoring: ${summary.scoring}`);
  return lines.join('\n');
}
