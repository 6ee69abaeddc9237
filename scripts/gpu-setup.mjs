#!/usr/bin/env node
// `npm run gpu:setup`: installs ONNX Runtime's CUDA execution provider, which
// the onnxruntime-node package does not ship (its libraries are too large for
// the npm registry). It runs the package's own installer, which downloads
// Microsoft.ML.OnnxRuntime.Gpu.Linux (or .Windows) from NuGet into
// node_modules/onnxruntime-node/bin. Needs an NVIDIA driver with CUDA 12 and
// cuDNN 9 on the machine. Normscope then picks CUDA by itself
// (Settings > execution provider: auto) and shows it in the status bar.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installer = join(root, 'node_modules', 'onnxruntime-node', 'script', 'install.js');
const target = `${process.platform}/${process.arch}`;
// the installer knows CUDA 12 manifests for these platforms only (script/install-metadata.js)
const SUPPORTED = ['linux/x64', 'win32/x64'];

function fail(message) {
  console.error(`gpu:setup failed: ${message}`);
  console.error('Normscope keeps working on the CPU provider. See README, "GPU set-up".');
  process.exit(1);
}

if (!SUPPORTED.includes(target)) {
  fail(`onnxruntime-node offers a downloadable CUDA provider for ${SUPPORTED.join(' and ')}, not ${target}` +
    (process.platform === 'darwin' ? ' (macOS uses CoreML, which is built in)' : ''));
}
if (!existsSync(installer)) fail(`${installer} is missing; run \`npm ci\` first`);

console.log('Installing ONNX Runtime CUDA 12 provider (onnxruntime-node installer, downloads from NuGet)…');
const result = spawnSync(process.execPath, [installer, '--onnxruntime-node-install=cuda12'], {
  cwd: join(root, 'node_modules', 'onnxruntime-node'),
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
});
if (result.error) fail(result.error.message);
if (result.status !== 0) {
  const lines = (result.stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines[0];
  fail(reason ?? `installer exited with code ${result.status}`);
}

const libraryName = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
const library = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, libraryName);
if (!existsSync(library)) fail(`the installer finished but ${library} is not there`);
console.log(`CUDA provider installed: ${library}`);
console.log('Start Normscope again; the status bar shows "cuda" when the GPU is used.');
