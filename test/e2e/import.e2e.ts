/**
 * Importing in the browser against the real `normscope serve`, starting from
 * an empty data directory: the Import button's dialog with a typed folder
 * path, then files dropped onto the window, which a browser cannot name by
 * path and so uploads (a corrupt one among them, reported in the dialog).
 * Each time the worklist shows the new study.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WrittenSeries } from '../../src-main/ml/phantom/dicom-writer';
import { removeTempDirs, tempDir, writeSeries } from '../src-main/imports/fixtures/phantom-files';
import { launchChromium, screenshot, startServe } from './harness';
import type { ServedApp } from './harness';

describe('importing studies from the window', () => {
  const dirs: string[] = [];
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  let typed: WrittenSeries;
  let dropped: WrittenSeries;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const folder = await tempDir(dirs);
    typed = await writeSeries(join(folder, 'typed'), 'P-TYPED', 4, 128);
    dropped = await writeSeries(join(folder, 'dropped'), 'P-DROPPED', 3, 128);
    [app, browser] = await Promise.all([startServe(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeTempDirs(dirs);
  });

  const studyRow = (uid: string) => page.locator(`tr[data-study-uid="${uid}"]`);

  it('imports a folder typed into the Import dialog, and the worklist shows the study', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import DICOM' });
    await dialog.getByLabel('Paths to import').fill(join(typed.files[0]!, '..'));
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expect
      .poll(() => dialog.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('Imported 4 instances');
    await screenshot(page, 'import-dialog-done');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await studyRow(typed.studyInstanceUid).waitFor();
    expect(await studyRow(typed.studyInstanceUid).textContent()).toContain('4');
  });

  it('uploads files dropped onto the window, lists the corrupt one, and the worklist shows the study', async () => {
    const files = [
      ...(await Promise.all(
        dropped.files.map(async (path, i) => ({
          name: `IM${i}.dcm`,
          base64: (await readFile(path)).toString('base64'),
        })),
      )),
      { name: 'readme.txt', base64: Buffer.from('not a DICOM file').toString('base64') },
    ];
    // a synthetic drag and drop of File objects: what the browser hands the page when files are
    // dropped (page-side code as strings: this file is typed without the DOM)
    await page.evaluate(`(() => {
      const transfer = new DataTransfer();
      for (const { name, base64 } of ${JSON.stringify(files)}) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name));
      }
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      window.pendingDrop = transfer;
    })()`);
    await page
      .getByText('Drop DICOM files, folders, zip archives or a DICOMDIR to import them')
      .waitFor();
    await screenshot(page, 'import-drop-overlay');
    await page.evaluate(`(() => {
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: window.pendingDrop, bubbles: true, cancelable: true }));
    })()`);

    const dialog = page.getByRole('dialog', { name: 'Import DICOM' });
    await expect
      .poll(() => dialog.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('Imported 3 instances, 1 failed');
    const errors = dialog.getByRole('list', { name: 'Files that could not be imported' });
    await expect.poll(() => errors.textContent()).toMatch(/000004-readme\.txt: not a DICOM file/);
    await screenshot(page, 'import-drop-errors');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await studyRow(dropped.studyInstanceUid).waitFor();
    expect(await page.locator('tr[data-study-uid]').count()).toBe(2);
    await screenshot(page, 'import-worklist');
    expect(pageErrors).toEqual([]);
  });
});
