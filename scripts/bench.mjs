#!/usr/bin/env node
// `npm run bench [-- --json out.json] [-- --only NAME]`: runs every benchmark
// in bench/*.bench.ts (through tsx), prints each figure with its goal and the
// comparison measured in the same run, and writes the results as JSON.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const res = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(res.status ?? 1);
