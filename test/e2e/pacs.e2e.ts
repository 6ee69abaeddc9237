/**
 * PACS in the browser against the real `normscope serve` and a real Orthanc
 * (test/src-main/pacs/orthanc.ts): add an endpoint in Settings, test it with
 * a wrong and then the right password; allow sending and send a scored
 * study's results from the viewer; query from the Worklist's Query PACS
 * dialog and retrieve a study, which then appears in the worklist.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePhantomStudy } from '../../src-main/ml/phantom/study';
import {
  writePhantomDicomSeries,
  type WrittenSeries,
} from '../../src-main/ml/phantom/dicom-writer';
import { openStore } from '../../src-main/store/store';
import { prepareReviewData, type ReviewFixture } from '../src-main/review/review-fixture';
import {
  ORTHANC_PASSWORD,
  ORTHANC_USER,
  startOrthanc,
  type OrthancServer,
} from '../src-main/pacs/orthanc';
import { launchChromium, screenshot, startServe, type ServedApp } from './harness';

describe('PACS from the window', () => {
  let orthanc: OrthancServer;
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  let scratch: string;
  let series: WrittenSeries;
  let scored: ReviewFixture;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'normscope-pacs-e2e-'));
    series = await writePhantomDicomSeries(
      join(scratch, 'study'),
      generatePhantomStudy({ seed: 7, slices: 4, size: 64, lesions: false }),
      {
        patientId: 'E2E-PACS',
        patientName: 'Pacs^Patient',
        accessionNumber: 'E2E1',
      },
    );
    // one scored study (with a calibrated threshold) to send results of
    const prepare = async (dataDir: string) => {
      scored = await prepareReviewData(dataDir, { normals: 0, abnormals: 1, slices: 4, size: 64 });
      const store = openStore({ dataDir });
      try {
        store.thresholds.append({
          modelVersionId: scored.modelVersionId,
          pixelThreshold: 0.6,
          imageThreshold: 0.8,
          method: { kind: 'e2e' },
          createdBy: 'test',
        });
      } finally {
        store.close();
      }
    };
    [orthanc, app, browser] = await Promise.all([
      startOrthanc(),
      startServe({ prepare }),
      launchChromium(),
    ]);
    for (const file of series.files) await orthanc.upload(await readFile(file));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await orthanc?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('adds an endpoint in Settings; a wrong password is refused in words, the right one connects', async () => {
    await page.goto(`${app.url}#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expect
      .poll(() => page.getByTestId('pacs-secret-storage').textContent())
      .toMatch(/AES-256-GCM/);
    await page.getByRole('button', { name: 'Add PACS endpoint' }).click();
    const form = page.getByRole('form', { name: 'Add PACS endpoint' });
    await form.getByLabel('Name').fill('Orthanc');
    await form.getByLabel('DICOMweb root URL').fill(orthanc.dicomWebRoot);
    await form.getByLabel('Authentication').click();
    await page.getByRole('option', { name: /HTTP basic/ }).click();
    await form.getByLabel('User name').fill(ORTHANC_USER);
    await form.getByLabel('Password').fill('wrong-password');
    await form.getByRole('button', { name: 'Add endpoint' }).click();

    const endpoints = page.getByRole('table', { name: 'PACS endpoints' });
    await endpoints.getByText('password set').waitFor();
    expect(await page.content()).not.toContain('wrong-password');
    await endpoints.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => endpoints.getByRole('status').textContent())
      .toMatch(/refused the credentials \(HTTP 401\)/);
    await screenshot(page, 'pacs-settings-wrong-password');

    await endpoints.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit PACS endpoint' });
    await edit.getByLabel('Password').fill(ORTHANC_PASSWORD);
    await edit.getByRole('button', { name: 'Save endpoint' }).click();
    await endpoints.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => endpoints.getByRole('status').textContent()).toMatch(/^Connected/);
    await screenshot(page, 'pacs-settings-connected');
  });

  it("sends a scored study's results from the viewer once sending is allowed", async () => {
    // the switch follows the host's answer, so it turns on a moment after the click
    const allow = page.getByLabel(/Allow sending results back to a PACS/);
    await allow.click();
    await expect.poll(() => allow.isChecked()).toBe(true);
    await page.goto(`${app.url}#/worklist`);
    // Enter opens the current row: wait until the worklist has it
    await page.locator(`tr[data-study-uid="${scored.studies[0]!.studyUid}"]`).waitFor();
    await page.getByRole('grid').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Who is reading?' }).waitFor();
    await page.getByLabel('New reviewer name').fill('Dr Pacs');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Send results to PACS…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send results to a PACS' });
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await expect
      .poll(() => dialog.getByRole('status').textContent(), { timeout: 20_000 })
      .toMatch(
        /Sent: Scores \(structured report\), Anomaly map \(parametric map\), Anomaly region \(segmentation\)/,
      );
    await screenshot(page, 'pacs-send-results');
    await dialog.getByRole('button', { name: 'Close' }).click();
    const stored = await fetch(`${orthanc.origin}/studies`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${ORTHANC_USER}:${ORTHANC_PASSWORD}`).toString('base64')}`,
      },
    }).then((r) => r.json() as Promise<string[]>);
    // the uploaded study and the scored one, now holding the three result objects
    expect(stored).toHaveLength(2);
  });

  it('queries the PACS from the Worklist and retrieves a study into it', async () => {
    await page.goto(`${app.url}#/worklist`);
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    await page.getByRole('button', { name: 'Query PACS…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Query / Retrieve from a PACS' });
    await dialog.getByLabel('Patient ID').fill('E2E-PACS');
    await dialog.getByRole('button', { name: 'Search' }).click();
    const results = dialog.getByRole('table', { name: 'PACS studies' });
    await results.getByText('Pacs Patient').waitFor();
    await results.getByLabel(`Select study ${series.studyInstanceUid}`).check();
    await screenshot(page, 'pacs-query-results');
    await dialog.getByRole('button', { name: /Retrieve 1 selected/ }).click();
    await page
      .locator(`tr[data-study-uid="${series.studyInstanceUid}"]`)
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'pacs-retrieved-in-worklist');
    expect(pageErrors).toEqual([]);
  });
});
