#!/usr/bin/env node
// The `normscope` command. Runs the built CLI when present (out/main/cli.js);
// on a checkout that has not been built yet it runs the TypeScript sources
// through tsx, so `npx normscope --help` works right after `npm ci`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
if (existsSync(built) && !process.env.NORMSCOPE_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src-main', 'cli', 'main.ts')).href);
}
