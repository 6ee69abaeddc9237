/**
 * Whether the import dialog is open and which import job it follows. A tiny
 * external store, so the Worklist's Import button and the window-wide drop
 * target (mounted in the app shell) open the same dialog.
 */
import { useSyncExternalStore } from 'react';

export interface ImportDialogState {
  open: boolean;
  /** the import job the dialog shows, null before one is started */
  jobId: string | null;
}

let state: ImportDialogState = { open: false, jobId: null };
const listeners = new Set<() => void>();

function set(next: ImportDialogState): void {
  state = next;
  for (const listener of [...listeners]) listener();
}

export function useImportDialog(): ImportDialogState {
  return useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    () => state,
  );
}

/** Opens the dialog, on a job's progress when given one, else on a fresh form. */
export function openImportDialog(jobId: string | null = null): void {
  set({ open: true, jobId });
}

export function closeImportDialog(): void {
  set({ open: false, jobId: null });
}
