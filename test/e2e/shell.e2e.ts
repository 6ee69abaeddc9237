/**
 * A radiologist's first session with a fresh installation, in Chromium against
 * the real `normscope serve`: the status bar says honestly what would score
 * the studies, every section is reachable by mouse and keyboard, a setting
 * survives a reload, the host's validation errors reach the field, and the
 * job tray opens.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, startServe } from './harness';
import type { ServedApp } from './harness';

const SECTIONS = ['Worklist', 'Viewer', 'Training', 'Models', 'Reports', 'Settings'] as const;

describe("a radiologist's first session", () => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServe(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const statusBar = () => page.getByRole('contentinfo', { name: 'Status bar' });
  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const tab = (name: string) => page.getByRole('tab', { name });

  it('opens on the worklist and the status bar says what would score studies', async () => {
    await page.goto(app.url);
    await heading('Worklist').waitFor();
    await statusBar().getByText('Connected').waitFor();
    await statusBar().getByLabel('Backbone: No backbone').waitFor();
    await statusBar().getByLabel('Active model: No model').waitFor();
    const provider = statusBar().getByLabel('Execution provider: CPU');
    expect(await provider.textContent()).toBe('CPU');
    await statusBar().getByLabel(`Data directory: ${app.dataDir}`).waitFor();

    await provider.hover();
    await page.getByRole('tooltip').getByText(/^Available: .*CPU/).waitFor();
    await screenshot(page, 'status-bar-provider-tooltip');
    await page.mouse.move(700, 300);
    await page.getByRole('tooltip').waitFor({ state: 'detached' });
  });

  it('reaches every section from the navigation rail and sees its heading', async () => {
    for (const name of SECTIONS) {
      await tab(name).click();
      await heading(name).waitFor();
      expect(await tab(name).getAttribute('aria-selected')).toBe('true');
      if (name === 'Models') await page.getByRole('table', { name: 'Model in use' }).getByText('No backbone').waitFor();
      if (name === 'Settings') await page.getByRole('radio', { name: /Copy into the data directory/ }).waitFor();
      await screenshot(page, `section-${name.toLowerCase()}`);
    }
  });

  it('moves between sections with the keyboard alone', async () => {
    await tab('Worklist').click();
    await heading('Worklist').waitFor();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator(':focus').textContent()).toBe('Viewer');
    await page.keyboard.press('Enter');
    await heading('Viewer').waitFor();
    expect(await tab('Viewer').getAttribute('aria-selected')).toBe('true');
    await screenshot(page, 'keyboard-focus-viewer');
  });

  it('changes settings and finds them unchanged after a reload', async () => {
    await tab('Settings').click();
    await heading('Settings').waitFor();
    await page.getByRole('radio', { name: /Reference files where they are/ }).check();
    await page.getByRole('radio', { name: /Window centre\/width from the DICOM header/ }).check();
    await page.getByRole('combobox', { name: 'Execution provider' }).click();
    await page.getByRole('option', { name: 'CPU' }).click();
    await page.getByRole('spinbutton', { name: 'CPU threads' }).fill('4');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await screenshot(page, 'settings-saved');

    await page.reload();
    await heading('Settings').waitFor();
    const reference = page.getByRole('radio', { name: /Reference files where they are/ });
    await reference.waitFor();
    expect(await reference.isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: /Window centre\/width/ }).isChecked()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Execution provider' }).textContent()).toBe('CPU');
    expect(await page.getByRole('spinbutton', { name: 'CPU threads' }).inputValue()).toBe('4');
    expect(await page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
  });

  it("shows the host's validation error on the field it names and keeps the saved value", async () => {
    const threads = page.getByRole('spinbutton', { name: 'CPU threads' });
    await threads.fill('999');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/threads/);
    const fieldHelp = await page.locator(`#${await threads.getAttribute('aria-describedby')}`).textContent();
    expect(fieldHelp).toMatch(/256/);
    await screenshot(page, 'settings-validation-error');

    await page.getByRole('button', { name: 'Revert' }).click();
    expect(await threads.inputValue()).toBe('4');
  });

  it('opens the job tray from the status bar', async () => {
    const trayButton = statusBar().getByRole('button', { name: /^Job tray: 0 jobs running$/ });
    await trayButton.click();
    const tray = page.getByRole('dialog', { name: 'Jobs' });
    await tray.getByText('No jobs yet.', { exact: false }).waitFor();
    await screenshot(page, 'job-tray');
    await page.keyboard.press('Escape');
    await tray.waitFor({ state: 'detached' });
  });

  it('raised no script errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('says so when the host goes away, and a save then fails with a clear error instead of hanging', async () => {
    await tab('Settings').click();
    await app.close();
    await statusBar().getByText('Connection lost, reconnecting…').waitFor();
    await page.getByRole('radio', { name: /Copy into the data directory/ }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Saving failed' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/settings\.update got no answer: the connection to 127\.0\.0\.1:\d+ closed/);
    await screenshot(page, 'host-gone');
  });
});
