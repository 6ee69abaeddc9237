/**
 * The application menu as data, so it is checked without Electron. Developer
 * tools appear only in development builds: a clinical user has no use for
 * them and they bypass the page's restrictions.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  importStudies(): void;
  showAbout(): void;
}

export function buildMenuTemplate(options: {
  isDev: boolean;
  platform: NodeJS.Platform;
  actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const { isDev, platform, actions } = options;
  const view: MenuItemConstructorOptions[] = [
    { role: 'reload' },
    ...(isDev ? [{ role: 'toggleDevTools' } as const] : []),
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import…', accelerator: 'CmdOrCtrl+O', click: () => actions.importStudies() },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { label: 'Help', submenu: [{ label: 'About Normscope', click: () => actions.showAbout() }] },
  ];
}
