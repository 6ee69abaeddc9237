/**
 * The Electron shell: one window on the `normscope://` protocol, locked down
 * (context isolation, sandbox, no Node in the page, navigation and new windows
 * blocked, permissions denied), the application menu and the IPC bridge to
 * the core. Everything else lives in host-agnostic modules.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session } from 'electron';
import type { EventMessage } from '../api/wire';
import { createCore, type Core } from '../core';
import { appSecretStore } from './keychain-secrets';
import { builtRendererDir, packageVersion } from '../core/package-info';
import { DATA_DIR_ENV, resolveDataDir } from '../store/data-dir';
import { contentTypeFor } from '../host/static-files';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels';
import { buildMenuTemplate } from './menu';
import { spawnUtilityWorker } from './utility-worker';
import { APP_CSP, APP_SCHEME, APP_START_URL, appRequestPath, isAppUrl, isTrustedSender, resolveAppRequest } from './protocol';

const isDev = !app.isPackaged;
const appRoot = app.getAppPath();
const rendererDir = builtRendererDir(appRoot);
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

// one data folder however the app is launched (packaged, or staged by `npm start`):
// Electron would otherwise name it after whichever package.json it runs
app.setPath('userData', join(app.getPath('appData'), 'Normscope'));

// must happen before `ready`: a standard, secure scheme gets an origin, fetch and CSP like https
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

function serveRendererFile(request: Request): Promise<Response> {
  const filePath = resolveAppRequest(rendererDir, request.url);
  if (filePath === null) return Promise.resolve(new Response('Bad path', { status: 400 }));
  return readFile(filePath).then(
    (body) =>
      new Response(body, {
        headers: {
          'Content-Type': contentTypeFor(filePath),
          'Content-Security-Policy': APP_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      }),
    () => new Response('Not found', { status: 404 }),
  );
}

/** The viewer's frames and maps (the same routes as the web host's), else the renderer's files. */
async function serveAppRequest(core: Core, request: Request): Promise<Response> {
  const path = appRequestPath(request.url);
  const answer = path === null ? null : await core.review.resources(path);
  if (!answer) return serveRendererFile(request);
  return new Response(Buffer.from(answer.body), {
    status: answer.status,
    headers: { 'Content-Type': answer.contentType, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  });
}

function lockDownSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Normscope',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      // developer tools bypass the page's restrictions: development builds only
      devTools: isDev,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_START_URL);
  return win;
}

function wireIpc(core: Core, win: BrowserWindow): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, params: unknown) => {
    const frame = event.senderFrame;
    const trusted =
      event.sender === win.webContents &&
      isTrustedSender(frame ? { url: frame.url, isMainFrame: frame === win.webContents.mainFrame } : null);
    if (!trusted) {
      return { ok: false, error: { name: 'Refused', message: 'Calls are accepted only from the Normscope window' } };
    }
    return core.dispatch(method, params, { transport: 'electron' });
  });
  const unsubscribe = core.events.subscribe((name, payload) => {
    if (win.isDestroyed()) return;
    const message: EventMessage = { event: name, payload };
    win.webContents.send(EVENT_CHANNEL, message);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(CALL_CHANNEL);
  };
}

async function importStudies(core: Core, win: BrowserWindow): Promise<void> {
  const picked = await dialog.showOpenDialog(win, {
    title: 'Import DICOM',
    properties: ['openFile', 'openDirectory', 'multiSelections'],
  });
  if (picked.canceled || picked.filePaths.length === 0) return;
  // progress, errors and the refreshed worklist reach the window through the job tray and events
  const outcome = await core.dispatch('imports.start', { paths: picked.filePaths }, { transport: 'electron' });
  if (!outcome.ok) dialog.showErrorBox('Import failed', outcome.error.message);
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const dataDir = resolveDataDir({ defaultDir: app.getPath('userData') });
  const core = await createCore({
    dataDir,
    host: 'electron',
    spawnWorker: spawnUtilityWorker,
    secrets: appSecretStore(dataDir),
  });
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(core, request));
  lockDownSessions();

  const win = createWindow();
  const unwire = wireIpc(core, win);
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        isDev,
        platform: process.platform,
        actions: {
          importStudies: () => void importStudies(core, win),
          showAbout: () =>
            void dialog.showMessageBox(win, {
              title: 'About Normscope',
              message: `Normscope ${packageVersion(appRoot)}`,
              detail: `Data directory: ${dataDir}\nNot for clinical use with a stand-in backbone.`,
            }),
        },
      }),
    ),
  );

  let closing = false;
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    unwire();
    void core.close().finally(() => app.exit(0));
  });
}

start().catch((err: unknown) => {
  dialog.showErrorBox('Normscope could not start', `${(err as Error).message ?? String(err)}\n\n${DATA_DIR_ENV} overrides the data directory.`);
  app.exit(1);
});
