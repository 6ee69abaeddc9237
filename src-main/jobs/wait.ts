/**
 * Waiting for a job started elsewhere (through the contract) to end, for work
 * that chains jobs: the demo, scripted commands.
 */
import type { EventSource } from '../api/event-bus';
import type { JobInfo } from '../api/contract';
import { NormscopeError, isErrorName } from '../api/errors';
import type { JobManager } from './job-manager';

const ENDED = new Set<JobInfo['state']>(['succeeded', 'failed', 'cancelled']);

/**
 * Resolves with the job's final info when it succeeds; rejects with its error
 * when it fails or is cancelled. Aborting `signal` cancels the job.
 */
export function waitForJob(
  jobs: Pick<JobManager, 'get' | 'cancel'>,
  events: EventSource,
  jobId: string,
  signal?: AbortSignal,
): Promise<JobInfo> {
  return new Promise<JobInfo>((resolve, reject) => {
    let unsubscribe = (): void => undefined;
    const settle = (job: JobInfo): boolean => {
      if (!ENDED.has(job.state)) return false;
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      if (job.state === 'succeeded') resolve(job);
      else
        reject(
          new NormscopeError(
            job.state === 'cancelled' ? 'Cancelled' : isErrorName(job.error?.name) ? job.error.name : 'Internal',
            `${job.title}: ${job.error?.message ?? job.state}`,
          ),
        );
      return true;
    };
    const onAbort = (): void => {
      try {
        jobs.cancel(jobId);
      } catch {
        // it ended in the meantime: its own end settles the wait
      }
    };
    unsubscribe = events.subscribe((event, payload) => {
      if (event === 'jobs.updated' && (payload as JobInfo).id === jobId) settle(payload as JobInfo);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (!settle(jobs.get(jobId)) && signal?.aborted) onAbort();
  });
}
