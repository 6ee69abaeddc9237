import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'bin', 'normscope.mjs');
const SERVING_LINE = /^Normscope is serving at http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/;

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'normscope-cli-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>fake renderer</title>');
  env = {
    ...process.env,
    NORMSCOPE_FROM_SOURCE: '1',
    NORMSCOPE_RENDERER_DIR: join(dir, 'renderer'),
    NORMSCOPE_DATA_DIR: join(dir, 'env-data'),
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: 'utf8' });
}

describe('normscope command line', () => {
  it('--help lists the commands and exits 0', () => {
    const run = cli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage: normscope/);
    expect(run.stdout).toMatch(/^\s+serve \[options\]/m);
    expect(run.stdout).toMatch(/^\s+help \[command\]/m);
  });

  it('serve --help shows the port and data-dir options', () => {
    const run = cli(['serve', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--port <port>');
    expect(run.stdout).toContain('--data-dir <dir>');
  });

  it('exits 2 on an unknown command, an unknown option or a bad argument', () => {
    const unknown = cli(['no-such-command']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'no-such-command'");
    expect(cli(['serve', '--no-such-option']).status).toBe(2);
    expect(cli(['serve', '--port', 'eighty']).status).toBe(2);
  });

  it('serve fails with exit 1 and says to build when the renderer is missing', () => {
    const run = cli(['serve', '--data-dir', join(dir, 'unbuilt')], { NORMSCOPE_RENDERER_DIR: join(dir, 'nowhere') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('npm run build');
  });

  it('serve fails with exit 1 when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await new Promise<{ status: number | null; stderr: string }>((r) => {
        const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data-dir', join(dir, 'busy')], {
          cwd: ROOT,
          env,
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (status) => r({ status, stderr }));
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });

  it('serve prints exactly the serving line, answers on that URL, and stops cleanly on SIGTERM', async () => {
    const dataDir = join(dir, 'flag-data');
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir], { cwd: ROOT, env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await new Promise<void>((resolveLine, rejectLine) => {
        child.stdout.on('data', () => stdout.includes('\n') && resolveLine());
        child.on('exit', (code) => rejectLine(new Error(`serve exited early with ${code}: ${stdout}`)));
      });
      const lines = stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const match = SERVING_LINE.exec(lines[0] ?? '');
      expect(match).not.toBeNull();
      const page = await fetch(`http://127.0.0.1:${match?.[1]}/?token=${match?.[2]}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('fake renderer');
      // --data-dir wins over NORMSCOPE_DATA_DIR
      expect(existsSync(join(dataDir, 'normscope.sqlite'))).toBe(true);
      expect(existsSync(join(dir, 'env-data'))).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
