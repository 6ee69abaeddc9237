/**
 * The jobs the tray shows: jobs.list on every (re)connection, then live from
 * 'jobs.updated'. Events that arrive before the list are not lost: both are
 * merged by each job's `updatedAt`.
 */
import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { JobInfo, Method } from '../../src-main/api/contract';
import { useApi, useConnectionState, useEvent } from '../api/hooks';
import { useNotifier } from '../components/Notifications';
import { mergeJobs } from './job-list';
import type { JobAction } from './job-list';

const JOB_ACTIONS = {
  cancel: { method: 'jobs.cancel', verb: 'Cancelling' },
  pause: { method: 'jobs.pause', verb: 'Pausing' },
  resume: { method: 'jobs.resume', verb: 'Resuming' },
} as const satisfies Record<JobAction, { method: Method; verb: string }>;

interface JobsValue {
  jobs: JobInfo[];
  /** asks the host; failures are reported in the Snackbar */
  act(job: JobInfo, action: JobAction): Promise<void>;
}

const JobsContext = createContext<JobsValue | null>(null);

export function JobsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const connection = useConnectionState();
  const { reportError } = useNotifier();
  const [jobs, setJobs] = useState<JobInfo[]>([]);

  useEvent('jobs.updated', (job) => setJobs((current) => mergeJobs(current, [job])));

  useEffect(() => {
    if (connection !== 'open') return;
    let current = true;
    api.call('jobs.list', {}).then(
      (listed) => current && setJobs((known) => mergeJobs(known, listed)),
      (error: unknown) => current && reportError('Loading the job list', error),
    );
    return () => {
      current = false;
    };
  }, [api, connection, reportError]);

  const act = useCallback(
    async (job: JobInfo, action: JobAction) => {
      try {
        const updated = await api.call(JOB_ACTIONS[action].method, { jobId: job.id });
        setJobs((current) => mergeJobs(current, [updated]));
      } catch (error) {
        reportError(`${JOB_ACTIONS[action].verb} “${job.title}”`, error);
      }
    },
    [api, reportError],
  );

  return <JobsContext.Provider value={{ jobs, act }}>{children}</JobsContext.Provider>;
}

export function useJobs(): JobsValue {
  const value = useContext(JobsContext);
  if (!value) throw new Error('useJobs needs a <JobsProvider> above it');
  return value;
}
