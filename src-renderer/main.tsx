/**
 * Entry of the window: connects to the host (Electron bridge or the web host's
 * WebSocket) and mounts the app. A page opened without its token says so
 * instead of failing quietly.
 */
import Alert from '@mui/material/Alert';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client';
import { connectTransport } from './api/connect';
import { toNormscopeError } from './api/error-value';
import { ApiProvider } from './api/hooks';
import { App } from './App';
import { NotificationsProvider } from './components/Notifications';
import { JobsProvider } from './jobs/JobsProvider';
import { AppStatusProvider } from './status/AppStatusProvider';
import { theme } from './theme';

function mount(root: HTMLElement) {
  let content;
  try {
    const client = new ApiClient(connectTransport(window));
    content = (
      <ApiProvider client={client}>
        <NotificationsProvider>
          <AppStatusProvider>
            <JobsProvider>
              <App />
            </JobsProvider>
          </AppStatusProvider>
        </NotificationsProvider>
      </ApiProvider>
    );
  } catch (reason) {
    content = (
      <Alert severity="error" sx={{ m: 4, maxWidth: 720 }}>
        Normscope cannot reach its host. {toNormscopeError(reason).message}
      </Alert>
    );
  }
  createRoot(root).render(
    <StrictMode>
      <ThemeProvider theme={theme}>
        <CssBaseline />
        {content}
      </ThemeProvider>
    </StrictMode>,
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
mount(root);
