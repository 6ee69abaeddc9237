/**
 * A radiologist's reading session in Chromium against the real `normscope
 * serve`: the data directory holds phantom MR studies imported through the
 * DICOM import, three of them already read as normal by a colleague. Their
 * anomaly maps come from the review fixture's TEMPORARY FAKE of the scoring
 * job (ground-truth lesions pooled to the patch grid), written through
 * store.scoring as the engine's job will, until that job can run here.
 * The reader opens the top-scored study, jumps to the most anomalous slice,
 * changes window/level by dragging, moves the overlay threshold and sees the
 * overlay change in the canvas pixels, outlines the finding with a polygon,
 * records a verdict by keyboard, finds it
 * in the worklist and the database, and calibrates a threshold.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordVerdict } from '../../src-main/review/verdicts';
import { openStore } from '../../src-main/store/store';
import { prepareReviewData } from '../src-main/review/review-fixture';
import type { ReviewFixture } from '../src-main/review/review-fixture';
import { launchChromium, overlayPixelCount, screenshot, startServe } from './harness';
import type { ServedApp } from './harness';

const SLICES = 20;

describe("a radiologist's reading session", () => {
  let app: ServedApp;
  let browser: Browser;
  let page: Page;
  let fixture: ReviewFixture;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const prepare = async (dataDir: string) => {
      fixture = await prepareReviewData(dataDir, { normals: 4, abnormals: 2, slices: SLICES, size: 256 });
      const store = openStore({ dataDir });
      try {
        const colleague = store.reviewers.create('Dr Earlier');
        for (const study of fixture.studies.slice(0, 3)) {
          recordVerdict(store, { studyUid: study.studyUid, reviewerId: colleague.id, verdict: 'normal', comment: '', regionMarks: [] });
        }
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

  const lesioned = () => fixture.studies.filter((s) => s.lesions);
  const topStudy = () => lesioned().reduce((a, b) => (Math.max(...a.imageScores) >= Math.max(...b.imageScores) ? a : b));

  const colouredPixels = (): Promise<number> => overlayPixelCount(page);

  /** Resolves after two animation frames: the repaint a state change scheduled has happened. */
  const settled = () => page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');

  it('lists the studies most anomalous first, lesioned ones on top', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    const rows = page.locator('tr[data-study-uid]');
    await rows.nth(5).waitFor();
    expect(await rows.count()).toBe(6);
    expect(await rows.first().getAttribute('data-study-uid')).toBe(topStudy().studyUid);
    await expect.poll(() => rows.nth(0).textContent()).toContain('unreviewed');
    await screenshot(page, 'review-worklist');
  });

  it('opens the top study with Enter, asks who reads, and shows the middle slice', async () => {
    await page.getByRole('grid').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Who is reading?' }).waitFor();
    await page.getByLabel('New reviewer name').fill('Dr Ada');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('slice-label').textContent()).toContain(`Im ${SLICES / 2 + 1}/${SLICES}`);
  });

  it('jumps to the most anomalous slice with M', async () => {
    const scores = topStudy().imageScores;
    const best = scores.indexOf(Math.max(...scores));
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('slice-label').textContent()).toContain(`Im ${best + 1}/${SLICES}`);
    // the first frame waits for the decode worker to start
    await expect.poll(colouredPixels, { timeout: 20_000 }).toBeGreaterThan(200);
  });

  it('changes window and level by dragging on the image', async () => {
    const label = page.getByTestId('window-label');
    expect(await label.textContent()).toBe('W 2600 L 1300');
    const box = (await page.locator('#viewport-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 6 });
    await page.mouse.up();
    const changed = await label.textContent();
    expect(changed).not.toBe('W 2600 L 1300');
    const [, width, level] = /W (\d+) L (\d+)/.exec(changed!)!.map(Number);
    expect(width).toBeGreaterThan(2600);
    expect(level).toBeGreaterThan(1300);
    await screenshot(page, 'review-viewer-overlay');
  });

  it('moves the overlay threshold and the overlay on the canvas follows', async () => {
    await settled();
    const atDefault = await colouredPixels();
    const thumb = page.getByTestId('threshold-slider').getByRole('slider');
    await thumb.focus();
    await page.keyboard.press('End');
    await settled();
    const atTop = await colouredPixels();
    await page.keyboard.press('Home');
    await settled();
    const atZero = await colouredPixels();
    expect(atTop).toBeLessThan(atDefault);
    expect(atZero).toBeGreaterThan(atDefault);
    await page.keyboard.press('o');
    await settled();
    expect(await colouredPixels()).toBe(0);
    await page.keyboard.press('o');
    await page.getByRole('button', { name: 'Reset' }).click();
    await settled();
    expect(await colouredPixels()).toBe(atDefault);
  });

  it('records a verdict by keyboard and finds it in the worklist and the database', async () => {
    // a polygon around the finding: P, three clicks, Enter
    const box = (await page.locator('#viewport-canvas').boundingBox())!;
    await page.locator('#viewport-canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('p');
    for (const [dx, dy] of [[-40, -60], [60, -50], [10, 40]] as const) {
      await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
    }
    await page.keyboard.press('Enter');
    await page.keyboard.press('a');
    const dialog = page.getByRole('dialog', { name: /Verdict/ });
    await dialog.waitFor();
    await dialog.getByText('1 region mark(s): 1 confirming an anomaly').waitFor();
    await page.keyboard.type('enhancing lesion');
    await screenshot(page, 'review-verdict-dialog');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('current-verdict').textContent()).toContain('Dr Ada');

    await page.getByRole('tab', { name: 'Worklist' }).click();
    const row = page.locator(`tr[data-study-uid="${topStudy().studyUid}"]`);
    await expect.poll(() => row.textContent()).toContain('abnormal');
    expect(await row.textContent()).toContain('Dr Ada');

    const store = openStore({ dataDir: app.dataDir });
    try {
      const verdict = store.verdicts.current(topStudy().studyUid)!;
      expect(verdict.verdict).toBe('abnormal');
      expect(verdict.comment).toBe('enhancing lesion');
      expect(verdict.regionMarks).toMatchObject([{ kind: 'polygon', label: 'confirms-anomaly', frame: 0 }]);
      expect(verdict.modelVersionId).toBe(fixture.modelVersionId);
      expect(store.reviewers.get(verdict.reviewerId)?.name).toBe('Dr Ada');
      expect(store.audit.list(1).some((e) => e.action === 'verdict.record' && e.actor === 'Dr Ada')).toBe(true);
    } finally {
      store.close();
    }
  });

  it('calibrates a threshold on the normal studies and saves it, after which the worklist flags', async () => {
    await page.getByRole('button', { name: 'Thresholds…' }).click();
    const dialog = page.getByRole('dialog', { name: /Thresholds/ });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Calibrate' }).click();
    await dialog.getByText(/3 normal studies/).waitFor();
    await dialog.getByText(/AUROC/).waitFor();
    await screenshot(page, 'review-thresholds');
    await dialog.getByRole('button', { name: 'Save as new version' }).click();
    await dialog.getByText(/Saved threshold version/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.locator('tr[data-study-uid]').first().textContent()).toContain('Flagged');
    await screenshot(page, 'review-worklist-flagged');
    const store = openStore({ dataDir: app.dataDir });
    try {
      expect(store.thresholds.history(fixture.modelVersionId)).toHaveLength(1);
    } finally {
      store.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
