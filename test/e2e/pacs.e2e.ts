/**
 * PACS in the browser against the real `normscope serve` and a real Orthanc
 * (test/src-main/pacs/orthanc.ts): add an endpoint in Settings, test it with
 * a wrong and then the right password, query from the Worklist's Query PACS
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
    [orthanc, app, browser] = await Promise.all([startOrthanc(), startServe(), launchChromium()]);
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
