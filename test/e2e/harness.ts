/**
 * What every end-to-end test needs: the real web host (`normscope serve` on a
 * fresh data directory, as a user would start it), Debian's Chromium driven by
 * playwright-core, and screenshots saved as artefacts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

const SERVING_LINE = /^Normscope is serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/;

export interface ServedApp {
  /** the page URL with its token, exactly as printed */
  url: string;
  dataDir: string;
  /** stops the host (SIGTERM, then SIGKILL after 5 s) and deletes the data directory */
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

/**
 * Starts `node bin/normscope.mjs serve --port 0 --data-dir <fresh tmp dir>` and
 * resolves once it printed its serving line; `prepare` fills the data
 * directory first. Needs the built CLI and renderer
 * (`npm run build`); fails with the host's stderr if it does not come up.
 */
export async function startServe(
  options: { timeoutMs?: number; prepare?: (dataDir: string) => Promise<void> } = {},
): Promise<ServedApp> {
  // NORMSCOPE_FROM_SOURCE=1 (read by bin/normscope.mjs) runs the CLI from its sources; the page is always the built one
  const needed = [join('out', 'renderer', 'index.html')];
  if (!process.env.NORMSCOPE_FROM_SOURCE) needed.push(join('out', 'main', 'cli.js'));
  const missing = needed.filter((path) => !existsSync(join(repoRoot, path)));
  if (missing.length > 0) throw new Error(`The app is not built (${missing.join(', ')} missing): run \`npm run build\` first.`);
  const dataDir = await mkdtemp(join(tmpdir(), 'normscope-e2e-'));
  // a test that needs studies in place writes them before the host opens the store
  if (options.prepare) await options.prepare(dataDir);
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'normscope.mjs'), 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    const url = await new Promise<string>((resolveUrl, rejectUrl) => {
      const lines = createInterface({ input: child.stdout! });
      const timer = setTimeout(
        () => rejectUrl(new Error(`normscope serve printed no serving line within ${timeoutMs} ms; stderr:\n${stderr}`)),
        timeoutMs,
      );
      lines.on('line', (line) => {
        const match = SERVING_LINE.exec(line.trim());
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        rejectUrl(new Error(`normscope serve exited (code ${code}, signal ${signal}) before serving; stderr:\n${stderr}`));
      });
    });
    return { url, dataDir, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Debian's Chromium, headless, with nothing that reaches the network on its own; `extraArgs` for benchmarks. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * Pixels of the viewer's canvas whose colour is not grey: the anomaly overlay.
 * The page-side code is a string because the tests are typed without the DOM.
 */
export function overlayPixelCount(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.getElementById('viewport-canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - data[i + 1]) > 24 || Math.abs(data[i + 1] - data[i + 2]) > 24) count++;
    }
    return count;
  })()`);
}

/** Saves the page as test-results/screenshots/<name>.png (kept as a test artefact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  // finish MUI's transitions so the picture shows the settled screen
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}
