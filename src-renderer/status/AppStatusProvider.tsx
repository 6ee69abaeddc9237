/**
 * app.status for the whole window (status bar, Models, Settings), loaded on
 * every (re)connection and reloaded by whoever changes what it reports.
 */
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { AppStatus } from '../../src-main/api/contract';
import { useResource } from '../api/hooks';
import type { Resource } from '../api/hooks';

const AppStatusContext = createContext<Resource<AppStatus> | null>(null);

export function AppStatusProvider({ children }: { children: ReactNode }) {
  const status = useResource('app.status', {});
  return <AppStatusContext.Provider value={status}>{children}</AppStatusContext.Provider>;
}

export function useAppStatus(): Resource<AppStatus> {
  const status = useContext(AppStatusContext);
  if (!status) throw new Error('useAppStatus needs an <AppStatusProvider> above it');
  return status;
}
