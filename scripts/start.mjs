#!/usr/bin/env node
// `npm start`: runs the workstation. Builds first when out/ is missing or older
// than the sources; then runs Electron where its binary is installed (fetching
// it on first start when the network allows), and otherwise serves the same
// renderer on the loopback web host and says why.
//
//   npm start                   Electron, or the web host as a fallback
//   npm start -- --web          always the web host
//   npm start -- --port 8080    (web host) listen on this port
//   npm start -- --data-dir D   use this data directory (else $NORMSCOPE_DATA_DIR)
//
// better-sqlite3 is compiled against one runtime's ABI: node_modules holds the
// plain-Node build (CLI, web host, tests). Electron gets its own copy, built
// for its ABI, in a staged app folder (out/electron-app) whose node_modules
// shadows the root one; the rest of node_modules is shared (N-API modules such
// as onnxruntime-node load in both).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const passThrough = args.filter((a) => a !== '--web');

const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const SOURCES = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package.json'];

/** Newest modification time (ms) under `path`, following folders. */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIsStale() {
  const outputs = BUILD_OUTPUTS.map((p) => join(root, p));
  if (outputs.some((p) => !existsSync(p))) return true;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const newestSource = Math.max(...SOURCES.map((p) => join(root, p)).filter(existsSync).map(newestMtime));
  return newestSource > oldestOutput;
}

function build() {
  console.log('Building Normscope (electron-vite build)…');
  const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('The build failed (see above); fix it or run `npm run build` to retry.');
    process.exit(1);
  }
}

/** Path of Electron's binary when it is installed, else null. */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Runs Electron's own installer (downloads the binary); returns null on success or why it failed. */
function fetchElectron() {
  console.log("Electron's binary is not installed; fetching it (first start)…");
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return 'the electron package is not installed (run `npm ci`)';
  const result = spawnSync(process.execPath, [installer], { cwd: root, encoding: 'utf8', timeout: 10 * 60_000 });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\w*Error\b/.test(l)) ?? lines[0] ?? `installer exited with code ${result.status}`;
}

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(l)) ?? lines.find((l) => /\w*Error: /.test(l)) ?? lines.find((l) => /\berr(or)?\b/i.test(l)) ?? lines.at(-1) ?? `exit code ${result.status}`;
}

/**
 * Builds out/electron-app: the built app plus better-sqlite3 for Electron's
 * ABI (a prebuilt binary, else compiled against Electron's headers). Returns
 * the folder, or throws with the reason it could not be made.
 */
function stageElectronApp() {
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const stage = join(root, 'out', 'electron-app');
  const sqlite = join(stage, 'node_modules', 'better-sqlite3');
  const marker = join(sqlite, '.built-for-electron');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== electronVersion) {
    console.log(`Preparing better-sqlite3 for Electron ${electronVersion} (once per Electron version)…`);
    rmSync(sqlite, { recursive: true, force: true });
    // a real copy, never a link: node-gyp cleans the folder it builds in, and
    // must not touch the plain-Node build that the CLI and tests load
    const source = realpathSync(join(root, 'node_modules', 'better-sqlite3'));
    cpSync(source, sqlite, { recursive: true, dereference: true, filter: (src) => !src.startsWith(join(source, 'build')) });
    if (lstatSync(sqlite).isSymbolicLink() || realpathSync(sqlite) === source) {
      throw new Error(`${sqlite} is not a separate copy of better-sqlite3`);
    }
    const target = [`--target=${electronVersion}`, '--runtime=electron', `--arch=${process.arch}`];
    const prebuilt = run(process.execPath, [require.resolve('prebuild-install/bin.js'), ...target], sqlite);
    if (prebuilt !== null) {
      const compiled = run(
        process.execPath,
        [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', ...target, '--dist-url=https://electronjs.org/headers'],
        sqlite,
      );
      if (compiled !== null) throw new Error(`no prebuilt binary (${prebuilt}) and compiling failed (${compiled})`);
    }
    writeFileSync(marker, electronVersion);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(
    join(stage, 'package.json'),
    JSON.stringify({ name: pkg.name, productName: 'Normscope', version: pkg.version, type: 'module', main: 'out/main/index.js' }, null, 2),
  );
  for (const part of ['main', 'preload', 'renderer']) {
    rmSync(join(stage, 'out', part), { recursive: true, force: true });
    cpSync(join(root, 'out', part), join(stage, 'out', part), { recursive: true });
  }
  return stage;
}

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Runs a child with our terminal and ends with its exit code; SIGTERM is passed on. */
function runChild(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  const forward = (signal) => child.kill(signal);
  process.on('SIGTERM', forward);
  // Ctrl+C reaches the child through the terminal's process group; stay alive until it has exited
  process.on('SIGINT', () => {});
  child.on('exit', (code, signal) => {
    process.off('SIGTERM', forward);
    process.exit(code ?? (signal ? 1 : 0));
  });
}

function serveInBrowser(reason) {
  console.log(`${reason}; serving the workstation in your browser instead.`);
  // the build just checked or made is what runs, not the sources
  const env = { ...process.env };
  delete env.NORMSCOPE_FROM_SOURCE;
  runChild(process.execPath, [join(root, 'bin', 'normscope.mjs'), 'serve', ...passThrough], env);
}

if (buildIsStale()) build();

if (forceWeb) {
  serveInBrowser('Started with --web');
} else {
  let electron = electronBinary();
  let why = null;
  if (electron === null) {
    why = fetchElectron();
    electron = electronBinary();
  }
  if (electron === null) {
    serveInBrowser(`Electron's binary is not installed (download failed: ${why ?? 'no binary after install'})`);
  } else if (!hasDisplay()) {
    serveInBrowser('No display is available for a window (DISPLAY and WAYLAND_DISPLAY are unset)');
  } else {
    let stage = null;
    try {
      stage = stageElectronApp();
    } catch (err) {
      serveInBrowser(`better-sqlite3 could not be prepared for Electron (${err.message})`);
    }
    if (stage !== null) {
      const dataDir = passThrough.indexOf('--data-dir');
      const env = dataDir >= 0 && passThrough[dataDir + 1] ? { ...process.env, NORMSCOPE_DATA_DIR: passThrough[dataDir + 1] } : process.env;
      // Electron runs the staged package (its "main" is out/main/index.js), so app.getAppPath() is that folder
      runChild(electron, [stage], env);
    }
  }
}
