import type { Handlers } from '../../api/dispatch';
import { NormscopeError } from '../../api/errors';
import { demoRefusal, runDemo, type DemoDeps } from '../../demo/demo-job';
import type { JobManager } from '../../jobs/job-manager';

type DemoHandlers = Pick<Handlers, 'demo.status' | 'demo.load'>;

export function demoHandlers(deps: DemoDeps & { jobs: JobManager }): DemoHandlers {
  return {
    'demo.status': () => {
      const reason = demoRefusal(deps.store);
      return { available: reason === null, reason };
    },
    'demo.load': () => {
      const reason = demoRefusal(deps.store);
      if (reason) throw new NormscopeError('Conflict', reason);
      if (deps.jobs.list().some((job) => job.kind === 'demo' && (job.state === 'running' || job.state === 'queued'))) {
        throw new NormscopeError('Conflict', 'the demo is already loading');
      }
      const started = deps.jobs.start({ kind: 'demo', title: 'Load the demo', run: (ctx) => runDemo(deps, ctx) });
      return deps.jobs.get(started.id);
    },
  };
}
