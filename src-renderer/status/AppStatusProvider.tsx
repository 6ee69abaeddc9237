/**
 * app.status for the whole window (status bar, Models, Settings), loaded on
 * every (re)connection, reloaded by whoever changes what it reports, and after
 * every job that succeeds: a job (the demo, a training run) or another window
 * may have changed the backbone or the active model.
 */
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { AppStatus } from '../../src-main/api/contract';
import { useEvent, useResource } from '../api/hooks';
import type { Resource } from '../api/hooks';

const AppStatusContext = createContext<Resource<AppStatus> | null>(null);

export function AppStatusProvider({ children }: { children: ReactNode }) {
  const status = useResource('app.status', {});
  useEvent('jobs.updated', (job) => {
    if (job.state === 'succeeded') status.reload();
  });
  useEvent('studies.changed', () => status.reload());
  return <AppStatusContext.Provider value={status}>{children}</AppStatusContext.Provider>;
}

export function useAppStatus(): Resource<AppStatus> {
  const status = useContext(AppStatusContext);
  if (!status) throw new Error('useAppStatus needs an <AppStatusProvider> above it');
  return status;
}
