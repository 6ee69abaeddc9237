/** `jobs.*`: the job tray's list and its cancel, pause and resume buttons. */
import type { Handler } from '../../api/dispatch';
import type { JobManager } from '../../jobs/job-manager';

export function jobHandlers(jobs: JobManager): {
  'jobs.list': Handler<'jobs.list'>;
  'jobs.cancel': Handler<'jobs.cancel'>;
  'jobs.pause': Handler<'jobs.pause'>;
  'jobs.resume': Handler<'jobs.resume'>;
} {
  return {
    'jobs.list': () => jobs.list(),
    'jobs.cancel': ({ jobId }) => jobs.cancel(jobId),
    'jobs.pause': ({ jobId }) => jobs.pause(jobId),
    'jobs.resume': ({ jobId }) => jobs.resume(jobId),
  };
}
