/**
 * One Snackbar for the whole window. Errors are shown from their name (what
 * kind of failure, decided here) and their message (what failed, from the host).
 */
import Alert from '@mui/material/Alert';
import type { AlertColor } from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { ErrorName } from '../../src-main/api/errors';
import { toNormscopeError } from '../api/error-value';

const ERROR_HEADLINES: Record<ErrorName, string> = {
  InvalidRequest: 'Not accepted',
  NotFound: 'Not found',
  Conflict: 'Not possible now',
  Cancelled: 'Cancelled',
  Refused: 'Refused',
  Unavailable: 'Unavailable',
  WorkerFailed: 'A background worker failed',
  Internal: 'Internal error (please report it)',
};

interface Notice {
  key: number;
  severity: AlertColor;
  text: string;
}

export interface Notifier {
  /** `action` says what the user tried, e.g. "Saving settings". */
  reportError(action: string, error: unknown): void;
  notify(text: string, severity?: AlertColor): void;
}

const NotifierContext = createContext<Notifier | null>(null);

export function useNotifier(): Notifier {
  const notifier = useContext(NotifierContext);
  if (!notifier) throw new Error('useNotifier needs a <NotificationsProvider> above it');
  return notifier;
}

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const [open, setOpen] = useState(false);

  const show = useCallback((severity: AlertColor, text: string) => {
    setNotice({ key: Date.now(), severity, text });
    setOpen(true);
  }, []);

  const notifier = useMemo<Notifier>(
    () => ({
      reportError(action, error) {
        const err = toNormscopeError(error);
        show(err.name === 'Cancelled' ? 'info' : 'error', `${action} failed. ${ERROR_HEADLINES[err.name]}: ${err.message}`);
      },
      notify(text, severity = 'success') {
        show(severity, text);
      },
    }),
    [show],
  );

  return (
    <NotifierContext.Provider value={notifier}>
      {children}
      <Snackbar
        key={notice?.key}
        open={open}
        autoHideDuration={notice?.severity === 'error' ? null : 4000}
        onClose={(_event, reason) => reason !== 'clickaway' && setOpen(false)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
        sx={{ bottom: { xs: 48 } }}
      >
        <Alert severity={notice?.severity ?? 'info'} variant="filled" onClose={() => setOpen(false)} sx={{ maxWidth: 640 }}>
          {notice?.text}
        </Alert>
      </Snackbar>
    </NotifierContext.Provider>
  );
}
