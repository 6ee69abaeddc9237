/**
 * A site retrains the model on its own normal studies, in Chromium against the
 * real `normscope serve`: the data directory holds phantom MR studies imported
 * through the DICOM import (four marked normal, one abnormal) and the tiny
 * stand-in backbone imported through the engine. From the Training page the
 * user starts a 2-epoch run on the studies marked normal, watches it reach
 * done with its loss chart, finds the new version on the Models page,
 * activates it, and sees the status bar's active model change.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, startServe } from './harness';
import type { ServedApp } from './harness';
import { prepareTrainingData } from './training-fixture';

const MODEL_NAME = 'Site retrain e2e';

describe('retraining on the normal studies', () => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const prepare = async (dataDir: string) => {
      await prepareTrainingData(dataDir, { normals: 4, abnormals: 1, slices: 5, size: 128 });
    };
    [app, browser] = await Promise.all([startServe({ prepare }), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
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

  it('starts a short run from the Training page with the paper recipe pre-filled', async () => {
    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByRole('heading', { level: 1, name: 'Training' }).waitFor();
    const form = page.getByRole('form', { name: 'New training run' });
    await form.getByLabel('Studies marked normal by a reviewer (4)').waitFor();
    expect(await form.getByLabel('Epochs').inputValue()).toBe('40');
    expect(await form.getByLabel('Learning rate').inputValue()).toBe('0.001');
    expect(await form.getByLabel('Batch size').inputValue()).toBe('64');
    expect(await form.getByLabel('Dilations').inputValue()).toBe('4, 4, 4, 4');
    // the flipped partner is offered for a causal model only
    const partner = form.getByLabel('Also train a flipped partner (maps averaged)');
    expect(await partner.isDisabled()).toBe(true);
    const chooseMode = async (name: RegExp) => {
      await form.getByRole('combobox', { name: 'Mode' }).click();
      await page.getByRole('option', { name }).click();
    };
    await chooseMode(/^Causal/);
    expect(await partner.isEnabled()).toBe(true);
    await chooseMode(/^Bidirectional/);
    expect(await partner.isDisabled()).toBe(true);
    await screenshot(page, 'training-form');

    await form.getByLabel('Epochs').fill('2');
    await form.getByLabel('Batch size').fill('8');
    await form.getByLabel('Model name (optional)').fill(MODEL_NAME);
    await form.getByRole('button', { name: 'Start training' }).click();
    const run = page.getByLabel(`Training run ${MODEL_NAME}`);
    await run.waitFor();
    // features first (the backbone runs once per frame), then epochs with step, loss and time left
    await expect
      .poll(() => run.textContent(), { timeout: 60_000, interval: 100 })
      .toMatch(/Reading features \d+\/25|Epoch [12]\/2/);
    await expect
      .poll(() => run.textContent(), { timeout: 60_000, interval: 100 })
      .toMatch(/Epoch [12]\/2 · step \d+\/\d+ · loss/);
    await screenshot(page, 'training-running');
  });

  it('shows live progress and ends done with both loss curves', async () => {
    const run = page.getByLabel(`Training run ${MODEL_NAME}`);
    await expect
      .poll(() => run.getByTestId('run-state').textContent(), { timeout: 100_000, interval: 500 })
      .toMatch(/Done|Failed/);
    expect(await run.getByTestId('run-state').textContent()).toBe('Done');
    // two lines (training, validation), two epochs
    await expect.poll(() => run.locator('.MuiLineChart-line').count()).toBe(2);
    expect(await run.getByText('2 of 2').count()).toBeGreaterThan(0);
    await page.getByRole('table', { name: 'Training runs' }).getByText('model made').waitFor();
    // 4 normal + 1 abnormal studies of 5 slices: every frame's features were cached once
    await expect
      .poll(() => page.getByTestId('feature-cache').textContent())
      .toMatch(/Feature cache: 25 frames/);
    await screenshot(page, 'training-done');
  });

  it('lists the new version on the Models page and activating it changes the status bar', async () => {
    await page.getByRole('tab', { name: 'Models' }).click();
    const versions = page.getByRole('table', { name: 'Model versions' });
    const row = versions.getByRole('row').filter({ hasText: MODEL_NAME });
    await row.waitFor();
    expect(await row.textContent()).toContain('Stand-in');
    expect(await row.textContent()).toContain('not strict');
    await expect.poll(() => statusBar().textContent()).not.toContain(MODEL_NAME);
    await screenshot(page, 'models-before-activation');

    await row.getByRole('button', { name: `Activate ${MODEL_NAME}` }).click();
    await row.getByText('Active').waitFor();
    await expect.poll(() => statusBar().textContent()).toContain(MODEL_NAME);
    // the first version ever active has nothing before it to roll back to
    const rollback = page.getByRole('button', { name: 'Nothing to roll back to' });
    await rollback.waitFor();
    expect(await rollback.isDisabled()).toBe(true);
    await screenshot(page, 'models-activated');
    expect(pageErrors).toEqual([]);
  });
});
