/**
 * A new user's first session, with nothing faked: an empty data directory,
 * the worklist offers the demo, the demo loads through the real import,
 * stand-in backbone, training and scoring jobs, and the user reads the most
 * anomalous study with the engine's own anomaly maps on the image.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/store';
import { launchChromium, overlayPixelCount, screenshot, startServe } from './harness';
import type { ServedApp } from './harness';

describe("a new user's first session, on the demo", () => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startServe(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const rows = () => page.locator('tr[data-study-uid]');

  const colouredPixels = (): Promise<number> => overlayPixelCount(page);

  it('is offered the demo on an empty worklist and loads it', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'New here? Load the demo' }).waitFor();
    await page.getByRole('button', { name: 'Load the demo' }).click();
    await page.getByRole('progressbar', { name: 'Demo loading progress' }).waitFor();
    // import, training and scoring on 2 cores: about two minutes, more on a loaded machine
    await expect.poll(() => rows().count(), { timeout: 420_000, interval: 2000 }).toBe(9);
    await expect
      .poll(async () => (await rows().allTextContents()).filter((text) => text.includes('not scored')).length, {
        timeout: 420_000,
        interval: 2000,
      })
      .toBe(0);
    await page.getByRole('heading', { name: 'New here? Load the demo' }).waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByText('Stand-in backbone: not for clinical use').waitFor();
    await screenshot(page, 'new-user-demo-worklist');
  }, 900_000);

  it('opens the top-scored study and sees the anomaly overlay on the most anomalous slice', async () => {
    await page.getByRole('grid').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Who is reading?' }).waitFor();
    await page.getByLabel('New reviewer name').fill('Dr New');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.keyboard.press('m');
    await expect.poll(colouredPixels, { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, 'new-user-demo-viewer');
  });

  it('records a verdict by keyboard and finds it in the database', async () => {
    await page.locator('#viewport-canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('n');
    const dialog = page.getByRole('dialog', { name: /Verdict/ });
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('current-verdict').textContent()).toContain('Dr New');
    const store = openStore({ dataDir: app.dataDir });
    try {
      const verdicts = store.studies.listWorklist().filter((row) => row.verdict !== null);
      expect(verdicts).toHaveLength(1);
    } finally {
      store.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
