/**
 * The viewer (issue 6), in Debian's Chromium (headless, software canvas, as
 * the e2e tests run it) against the real `normscope serve` on a data
 * directory prepared by bench/viewer-fixture.ts: a 300-slice and a
 * 1000-slice synthetic 512x512 16-bit CT series, each slice with a SYNTHETIC
 * anomaly map (written through store.scoring; the overlay costs the viewer
 * the same whatever produced the map). Headless Chromium paces animation
 * frames at about 60 Hz (its --disable-frame-rate-limit flag, passed too,
 * did not lift that here), so 60 frames/s is also the ceiling; the page's
 * own animation-frame rate is measured beside each scrolling figure.
 * Measured in the page with performance.now() and the canvas's
 * `normscope:viewport-drawn` event (stage timings of every repaint):
 * - time to first image: Enter on the worklist row (keydown) to the first
 *   repaint of the 300-slice study, nothing cached; the first frame
 *   request's send and response times (Resource Timing) show where it went;
 * - scrolling, overlay on, through the 300-slice series: first one Down key
 *   per repaint (the next key only after the new slice is drawn, so no slice
 *   is skipped), a first pass (frames fetched from the host and decoded
 *   while scrolling, neighbours prefetched) and a second with every frame in
 *   the window's cache; then, cached, one Down per animation frame as a held
 *   key or a fast wheel gives, counting the repaints that showed a new slice
 *   per second (the goal's figure; slices the viewer could not keep up with
 *   are skipped, as a user would see);
 * - threshold to repaint: ArrowRight/Left on the overlay threshold slider
 *   (keydown) to the next repaint, median of 30;
 * - memory: after scrolling through all 1000 slices of the large series, the
 *   renderer process's resident memory (/proc/<pid>/status VmRSS of the
 *   Chromium renderer, found with CDP SystemInfo.getProcessInfo) and the JS
 *   heap (CDP Performance.getMetrics), against the decoded series' raw size.
 * The first run of `npm run build` is needed (out/); the benchmark builds
 * when out/ is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, repoRoot, startServe } from '../test/e2e/harness';
import type { ServedApp } from '../test/e2e/harness';
import type { Benchmark, Figure } from './figure';
import { prepareViewerData } from './viewer-fixture';
import type { ViewerFixture } from './viewer-fixture';

const SIZE = 512;
const SCROLL_SLICES = 300;
const MEMORY_SLICES = 1000;
const THRESHOLD_REPEATS = 30;
const FRAME_BUDGET_MS = 1000 / 60;

/**
 * Installed before the app's scripts: records every repaint and the last
 * keydown (capture phase, so before the app's handlers), and offers the
 * measuring helpers as `window.__viewerBench`. A string because the bench is
 * typed without the DOM.
 */
const PAGE_SCRIPT = `(() => {
  const drawn = [];
  const waiters = [];
  let lastKeyAt = 0;
  window.addEventListener('normscope:viewport-drawn', (event) => {
    const record = { t: performance.now(), ...event.detail };
    drawn.push(record);
    for (const waiter of waiters.splice(0)) waiter(record);
  }, true);
  window.addEventListener('keydown', () => { lastKeyAt = performance.now(); }, true);
  const nextDrawn = (accept, timeoutMs) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no normscope:viewport-drawn repaint within ' + timeoutMs + ' ms (is out/ built, and not being rebuilt meanwhile?)')), timeoutMs);
    const waiter = (record) => {
      if (accept(record)) { clearTimeout(timer); resolve(record); } else waiters.push(waiter);
    };
    waiters.push(waiter);
  });
  /** the first repaint after time t (already recorded or still to come) */
  const drawnAfter = (t, timeoutMs) => {
    const done = drawn.find((r) => r.t > t);
    return done ? Promise.resolve(done) : nextDrawn((r) => r.t > t, timeoutMs);
  };
  const press = (key) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  window.__viewerBench = {
    lastKeyAt: () => lastKeyAt,
    /** ms from the last keydown to the first repaint after it, and that repaint's stages */
    keyToDrawn: async () => {
      const at = lastKeyAt;
      const record = await drawnAfter(at, 20000);
      return { ms: record.t - at, ...record };
    },
    /** Home, then Down n times, each after the previous slice was drawn (grey stage redone = a new frame on screen) */
    scroll: async (n) => {
      const home = nextDrawn((r) => r.greyMs > 0, 20000);
      press('Home');
      await home.catch(() => undefined);
      let rafs = 0;
      let counting = true;
      const count = () => { rafs++; if (counting) requestAnimationFrame(count); };
      requestAnimationFrame(count);
      const started = performance.now();
      const stages = [];
      for (let i = 0; i < n; i++) {
        const next = nextDrawn((r) => r.greyMs > 0, 20000);
        press('ArrowDown');
        const record = await next;
        stages.push(record.greyMs + record.compositeMs);
      }
      const ms = performance.now() - started;
      counting = false;
      stages.sort((a, b) => a - b);
      return { ms, steps: n, rafPerSecond: (1000 * rafs) / ms, medianStageMs: stages[Math.floor(stages.length / 2)] };
    },
    /** Home, then one Down per animation frame for n frames; counts the repaints that showed a new slice */
    scrollPaced: async (n) => {
      const home = nextDrawn((r) => r.greyMs > 0, 20000);
      press('Home');
      await home.catch(() => undefined);
      const from = drawn.length;
      const started = performance.now();
      let keysEndedAt = started;
      await new Promise((resolve) => {
        let keys = 0;
        const tick = () => {
          if (keys < n) { press('ArrowDown'); keys++; requestAnimationFrame(tick); }
          else { keysEndedAt = performance.now(); resolve(); }
        };
        requestAnimationFrame(tick);
      });
      // the last keys' slices are still being drawn
      await new Promise((resolve) => setTimeout(resolve, 500));
      const slices = drawn.slice(from).filter((r) => r.greyMs > 0);
      const lastAt = slices.length ? slices[slices.length - 1].t : keysEndedAt;
      return { ms: lastAt - started, draws: slices.length, keys: n, rafPerSecond: (1000 * n) / (keysEndedAt - started) };
    },
    /** the first frame request's timing (ms since page start): when it was sent and when its bytes were in */
    firstFrameRequest: () => {
      const entry = performance.getEntriesByType('resource').find((e) => e.name.includes('/frames/'));
      return entry ? { startTime: entry.startTime, responseEnd: entry.responseEnd } : null;
    },
  };
})();`;

interface ScrollResult {
  ms: number;
  steps: number;
  rafPerSecond: number;
  medianStageMs: number;
}

interface PacedResult {
  ms: number;
  draws: number;
  keys: number;
  rafPerSecond: number;
}

interface KeyToDrawn {
  ms: number;
  greyMs: number;
  compositeMs: number;
  drawMs: number;
}

function ensureBuilt(): void {
  if (existsSync(join(repoRoot, 'out', 'renderer', 'index.html')) && existsSync(join(repoRoot, 'out', 'main', 'cli.js'))) return;
  console.error('viewer bench: out/ missing, running electron-vite build');
  execFileSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}

/** Debian's Chromium as the e2e harness starts it, plus the frame rate limit off (see the module comment). */
function launchUnthrottledChromium(): Promise<Browser> {
  return launchChromium(['--disable-frame-rate-limit', '--disable-gpu-vsync']);
}

/** Resident memory of Chromium's renderer processes, MiB, largest first (the page's renderer is the big one). */
async function rendererRssMiB(browser: Browser): Promise<number[]> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    const sizes: number[] = [];
    for (const p of info.processInfo.filter((q) => q.type === 'renderer')) {
      const status = readFileSync(`/proc/${p.id}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      if (Number.isFinite(kb)) sizes.push(kb / 1024);
    }
    if (sizes.length === 0) throw new Error('no renderer process found through CDP SystemInfo.getProcessInfo');
    return sizes.sort((a, b) => b - a);
  } finally {
    await cdp.detach();
  }
}

async function jsHeapUsedMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
    if (used === undefined) throw new Error('CDP Performance.getMetrics reported no JSHeapUsedSize');
    return used / 2 ** 20;
  } finally {
    await cdp.detach();
  }
}

interface FirstImage {
  /** keydown to the first repaint */
  ms: number;
  /** keydown to the first frame request sent, and to its bytes received (null: no request seen) */
  requestSentMs: number | null;
  bytesInMs: number | null;
}

/** Opens `studyUid` from the worklist with Enter; times from the keydown to the first repaint. */
async function openFromWorklist(page: Page, studyUid: string): Promise<FirstImage> {
  await page.getByRole('tab', { name: 'Worklist' }).click();
  const row = page.locator(`tr[data-study-uid="${studyUid}"]`);
  await row.click();
  await page.getByRole('grid').focus();
  await page.keyboard.press('Enter');
  const keyAt = (await page.evaluate('window.__viewerBench.lastKeyAt()')) as number;
  const first = (await page.evaluate('window.__viewerBench.keyToDrawn()')) as KeyToDrawn;
  const request = (await page.evaluate('window.__viewerBench.firstFrameRequest()')) as { startTime: number; responseEnd: number } | null;
  return {
    ms: first.ms,
    requestSentMs: request ? request.startTime - keyAt : null,
    bytesInMs: request ? request.responseEnd - keyAt : null,
  };
}

async function measure(app: ServedApp, browser: Browser, fixture: ViewerFixture): Promise<Figure[]> {
  const [scrollSeries, memorySeries] = fixture.series;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // the reading session starts with this reviewer, so no name dialog takes the keys
  await page.addInitScript(`sessionStorage.setItem('normscope.reviewer', ${JSON.stringify(JSON.stringify(fixture.reviewer))});`);
  await page.addInitScript(PAGE_SCRIPT);
  await page.goto(app.url);
  await page.locator('tr[data-study-uid]').nth(1).waitFor();
  const baselineRss = (await rendererRssMiB(browser))[0]!;

  const firstImage = await openFromWorklist(page, scrollSeries!.studyUid);
  await page.getByTestId('threshold-slider').waitFor();

  const cold = (await page.evaluate(`window.__viewerBench.scroll(${SCROLL_SLICES - 1})`)) as ScrollResult;
  const warm = (await page.evaluate(`window.__viewerBench.scroll(${SCROLL_SLICES - 1})`)) as ScrollResult;
  const paced = (await page.evaluate(`window.__viewerBench.scrollPaced(${SCROLL_SLICES - 1})`)) as PacedResult;

  const thumb = page.getByTestId('threshold-slider').getByRole('slider');
  await thumb.focus();
  const repaints: KeyToDrawn[] = [];
  for (let i = 0; i < THRESHOLD_REPEATS + 2; i++) {
    await page.keyboard.press(i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
    const r = (await page.evaluate('window.__viewerBench.keyToDrawn()')) as KeyToDrawn;
    if (i >= 2) repaints.push(r);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const thresholdMs = median(repaints.map((r) => r.ms));
  const compositeMs = median(repaints.map((r) => r.compositeMs));
  if (repaints.some((r) => r.greyMs > 0)) throw new Error('a threshold change redid the grey stage: the measurement is not of a threshold repaint');

  await openFromWorklist(page, memorySeries!.studyUid);
  const full = (await page.evaluate(`window.__viewerBench.scroll(${MEMORY_SLICES - 1})`)) as ScrollResult;
  const rss = (await rendererRssMiB(browser))[0]!;
  const heap = await jsHeapUsedMiB(page);
  if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.slice(0, 3).join('; ')}`);
  const rawMiB = (MEMORY_SLICES * SIZE * SIZE * 2) / 2 ** 20;
  const fps = (r: ScrollResult) => (1000 * r.steps) / r.ms;

  const ms = (v: number | null) => (v === null ? '?' : v.toFixed(0));
  return [
    {
      id: 'viewer-scroll-fps',
      label: `viewer: scrolling ${SCROLL_SLICES} x ${SIZE}x${SIZE} 16-bit, overlay on (synthetic maps), cached, one Down per animation frame (${paced.draws} of ${paced.keys} slices drawn)`,
      value: (1000 * paced.draws) / paced.ms,
      unit: 'frames/s',
      goal: { kind: 'atLeast', value: 60 },
      comparison: { label: 'animation frames/s the page got meanwhile (the ceiling)', value: paced.rafPerSecond, unit: '/s' },
    },
    {
      id: 'viewer-scroll-step-cold',
      label: `viewer: scrolling, next Down only after the slice is drawn: first pass (fetch + decode, neighbours prefetched; ${warm.medianStageMs.toFixed(1)} ms grey+overlay per slice)`,
      value: fps(cold),
      unit: 'frames/s',
      comparison: { label: 'second pass, all cached', value: fps(warm), unit: 'frames/s' },
    },
    {
      id: 'viewer-threshold-repaint',
      label: `viewer: threshold key to repaint, ${SIZE}x${SIZE} overlay (median of ${THRESHOLD_REPEATS}; overlay stage ${compositeMs.toFixed(1)} ms)`,
      value: thresholdMs,
      unit: 'ms',
      goal: { kind: 'atMost', value: 16 },
      comparison: { label: '60 Hz frame budget', value: FRAME_BUDGET_MS, unit: 'ms' },
    },
    {
      id: 'viewer-first-image',
      label: `viewer: first image of a ${SCROLL_SLICES}-slice series, Enter on the worklist to first repaint, cold (frame request sent at ${ms(firstImage.requestSentMs)} ms, bytes in at ${ms(firstImage.bytesInMs)} ms)`,
      value: firstImage.ms,
      unit: 'ms',
      goal: { kind: 'atMost', value: 1000 },
      comparison: { label: 'first-pass time per slice', value: cold.ms / cold.steps, unit: 'ms' },
    },
    {
      id: 'viewer-memory-rss',
      label: `viewer: renderer RSS, ${MEMORY_SLICES} x ${SIZE}x${SIZE} series open, all slices scrolled (${(full.ms / 1000).toFixed(0)} s; JS heap ${heap.toFixed(0)} MiB; ${baselineRss.toFixed(0)} MiB at the worklist)`,
      value: rss,
      unit: 'MiB',
      goal: { kind: 'atMost', value: 1536 },
      comparison: { label: 'decoded series raw size', value: rawMiB, unit: 'MiB' },
    },
  ];
}

export const viewerBenchmark: Benchmark = {
  name: 'viewer',
  issue: 6,
  async run(): Promise<Figure[]> {
    ensureBuilt();
    let fixture: ViewerFixture | undefined;
    const prepare = async (dataDir: string) => {
      fixture = await prepareViewerData(dataDir, [
        { name: 'scroll', slices: SCROLL_SLICES, size: SIZE },
        { name: 'memory', slices: MEMORY_SLICES, size: SIZE },
      ]);
    };
    const [app, browser] = await Promise.all([startServe({ prepare }), launchUnthrottledChromium()]);
    try {
      return await measure(app, browser, fixture!);
    } finally {
      await browser.close();
      await app.close();
    }
  },
};
