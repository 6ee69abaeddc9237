/**
 * Making an audit report from the Reports page, in Chromium against the real
 * `normscope serve`. The data directory holds phantom MR studies imported
 * through the DICOM import, scored by the review fixture's stand-in for the
 * engine's scoring job, with a threshold and verdicts recorded by the review
 * code. The page shows the audit chain verified (and the status bar too),
 * generates the report as a job, shows the files and the content hash, asks
 * before replacing the files, and shows the chain BROKEN once the newest
 * audit entries are deleted behind its back.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveThreshold } from '../../src-main/review/thresholds';
import { recordVerdict } from '../../src-main/review/verdicts';
import { openStore } from '../../src-main/store/store';
import { prepareReviewData } from '../src-main/review/review-fixture';
import { launchChromium, screenshot, startServe } from './harness';
import type { ServedApp } from './harness';

describe('the Reports page', () => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const prepare = async (dataDir: string) => {
      const fixture = await prepareReviewData(dataDir, {
        normals: 2,
        abnormals: 2,
        slices: 3,
        size: 128,
      });
      const store = openStore({ dataDir });
      try {
        const reader = store.reviewers.create('Dr Reader');
        saveThreshold(store, {
          modelVersionId: fixture.modelVersionId,
          reviewerId: reader.id,
          pixelThreshold: 0.5,
          imageThreshold: 0.5,
          method: { kind: 'e2e' },
        });
        const verdicts = ['normal', 'abnormal', 'abnormal', 'normal'] as const;
        fixture.studies.forEach((study, k) => {
          recordVerdict(store, {
            studyUid: study.studyUid,
            reviewerId: reader.id,
            verdict: verdicts[k]!,
            comment: '',
            regionMarks: [],
          });
        });
      } finally {
        store.close();
      }
    };
    [app, browser] = await Promise.all([startServe({ prepare }), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const main = () => page.getByRole('tabpanel');
  const statusBar = () => page.getByRole('contentinfo', { name: 'Status bar' });

  it('shows the audit chain verified, on the page and in the status bar', async () => {
    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Reports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    await main().getByRole('status', { name: 'Audit chain verified' }).waitFor();
    await statusBar().getByRole('status', { name: 'Audit chain verified' }).waitFor();
  });

  it('generates the report as a job and shows its files, hash and audit state', async () => {
    await page.getByRole('button', { name: 'Generate report' }).click();
    await page.getByText('Report written.').waitFor({ timeout: 60_000 });
    const result = page.getByRole('table', { name: 'Report result' });
    const pdf = join(
      app.dataDir,
      'exports',
      (await page.getByLabel('PDF').inputValue()).split('/').pop()!,
    );
    await result.getByText(pdf).waitFor();
    expect(existsSync(pdf)).toBe(true);
    expect(existsSync(pdf.replace(/\.pdf$/, '.csv'))).toBe(true);
    expect(await result.textContent()).toMatch(/Content sha256[0-9a-f]{64}/);
    expect(await result.textContent()).toContain('4 studies, 3 key images');
    await result.getByText(/Audit chain verified/).waitFor();
    await screenshot(page, 'reports-generated');
    // the export is in the trail, newest first
    const trail = page.getByRole('table', { name: 'Audit trail' });
    await trail.getByRole('row').nth(1).getByText('export').waitFor();
    await trail.scrollIntoViewIfNeeded();
    await screenshot(page, 'reports-audit-trail');
  });

  it('asks before replacing the files of an earlier report', async () => {
    await page.getByRole('button', { name: 'Generate report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace existing files?' });
    await dialog.waitFor();
    await screenshot(page, 'reports-replace-dialog');
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await page.getByText('Report written.').waitFor({ timeout: 60_000 });
  });

  it('shows the chain BROKEN, naming where, once the newest entries are deleted', async () => {
    const raw = new Database(join(app.dataDir, 'normscope.sqlite'));
    const { head } = raw.prepare('SELECT max(seq) AS head FROM audit_log').get() as {
      head: number;
    };
    raw.exec('DROP TRIGGER audit_log_append_only_delete');
    raw.prepare('DELETE FROM audit_log WHERE seq >= ?').run(head - 1);
    raw.close();
    await page.getByRole('button', { name: 'Verify again' }).click();
    await main()
      .getByRole('status', { name: `Audit chain BROKEN at #${head - 1}` })
      .waitFor();
    await main()
      .getByText(`entries after #${head - 2} were removed`, { exact: false })
      .waitFor();
    await statusBar()
      .getByRole('status', { name: `Audit chain BROKEN at #${head - 1}` })
      .waitFor();
    await screenshot(page, 'reports-chain-broken');
    expect(pageErrors).toEqual([]);
  });
});
