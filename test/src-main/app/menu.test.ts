import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate } from '../../../src-main/app/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function build(isDev: boolean, platform: NodeJS.Platform = 'linux') {
  const calls: string[] = [];
  const template = buildMenuTemplate({
    isDev,
    platform,
    actions: { importStudies: () => calls.push('import'), showAbout: () => calls.push('about') },
  });
  return { template, calls };
}

describe('application menu', () => {
  it('has File, View and Help with Import, Quit, Reload, zoom and About', () => {
    const { template } = build(false);
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'Help']);
    const items = flatten(template);
    const roles = items.map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['quit', 'reload', 'zoomIn', 'zoomOut', 'resetZoom']));
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['Import…', 'About Normscope']));
  });

  it('offers developer tools only in development builds', () => {
    expect(flatten(build(false).template).some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(flatten(build(true).template).some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('wires Import and About to their actions', () => {
    const { template, calls } = build(false);
    const items = flatten(template);
    const click = (label: string) =>
      (items.find((i) => i.label === label)?.click as unknown as (() => void) | undefined)?.();
    click('Import…');
    click('About Normscope');
    expect(calls).toEqual(['import', 'about']);
  });

  it('adds the app menu on macOS', () => {
    expect(build(false, 'darwin').template[0]?.role).toBe('appMenu');
  });
});
