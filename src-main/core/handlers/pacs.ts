/** `pacs.*`: saved PACS endpoints, connection test, query and retrieval (thin: the PacsService does the work). */
import type { Handler } from '../../api/dispatch';
import type { JobManager } from '../../jobs/job-manager';
import type { PacsService } from '../../pacs/service';

type PacsMethod =
  | 'pacs.endpoints.list'
  | 'pacs.endpoints.save'
  | 'pacs.endpoints.remove'
  | 'pacs.endpoints.test'
  | 'pacs.query'
  | 'pacs.retrieve'
  | 'pacs.push'
  | 'pacs.options.get'
  | 'pacs.options.update';

export function pacsHandlers(
  pacs: PacsService,
  jobs: JobManager,
): { [M in PacsMethod]: Handler<M> } {
  return {
    'pacs.endpoints.list': () => ({
      endpoints: pacs.listEndpoints(),
      secretStorage: pacs.secretStorage,
    }),
    'pacs.endpoints.save': (input) => pacs.saveEndpoint(input),
    'pacs.endpoints.remove': ({ id }) => ({ removed: pacs.removeEndpoint(id) }),
    'pacs.endpoints.test': ({ id }) => pacs.testConnection({ endpointId: id }),
    'pacs.query': async ({ endpointId, query }) => ({
      studies: await pacs.query({ endpointId }, query),
    }),
    'pacs.retrieve': ({ endpointId, studyUids }) => {
      const started = pacs.startRetrieve({ endpointId }, studyUids);
      // the outcome reaches the window as job events; an unobserved rejection must not crash the process
      started.result.catch(() => undefined);
      return jobs.get(started.id);
    },
    'pacs.push': ({ endpointId, studyUid, deidentify }) =>
      pacs.pushResults({ endpointId }, studyUid, { deidentify }),
    'pacs.options.get': () => pacs.options(),
    'pacs.options.update': (patch) => pacs.updateOptions(patch),
  };
}
