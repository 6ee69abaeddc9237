#!/usr/bin/env node
// `npm test`: the whole suite, in the order a failure is cheapest to find:
// typecheck, lint, unit tests, production build, end-to-end tests. Every step
// runs even if an earlier one failed, so one run shows everything that is
// wrong. The last line sums every suite: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = 'test-results';
mkdirSync(resultsDir, { recursive: true });

/** @type {{ name: string, ok: boolean, passed: number, failed: number, seconds: number }[]} */
const steps = [];

function run(name, command, args, report) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  if (report) rmSync(report, { force: true });
  const res = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const seconds = (Date.now() - started) / 1000;
  let passed = 0;
  let failed = 0;
  if (report && existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests ?? 0;
    failed = json.numFailedTests ?? 0;
    // a suite that failed to load has no tests but must not pass silently
    for (const file of json.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
    }
  }
  const ok = res.status === 0;
  if (!report) {
    // a step without test cases (typecheck, lint, build) counts as one check
    if (ok) passed = 1;
    else failed = 1;
  } else if (!ok && failed === 0) {
    failed = 1; // the runner failed without reporting a failing test (crash, no report)
  }
  steps.push({ name, ok, passed, failed, seconds });
}

const npx = 'npx';
run('typecheck (main)', npx, ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
run('typecheck (renderer)', npx, ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
run('lint', npx, ['eslint', '.']);
run('unit tests', npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(resultsDir, 'unit.json')}`], join(resultsDir, 'unit.json'));
run('build', npx, ['electron-vite', 'build']);
run('end-to-end tests', npx, ['vitest', 'run', '--config', 'vitest.e2e.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${join(resultsDir, 'e2e.json')}`], join(resultsDir, 'e2e.json'));

console.log('\n=== summary');
for (const s of steps) {
  console.log(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(22)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(3)} failed  ${s.seconds.toFixed(1)} s`);
}
const passed = steps.reduce((n, s) => n + s.passed, 0);
const failed = steps.reduce((n, s) => n + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && steps.every((s) => s.ok) ? 0 : 1);
