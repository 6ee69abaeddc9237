/**
 * Runs the benchmarks, prints the table, optionally writes JSON so results can
 * be compared between commits. Each benchmark module registers itself in
 * bench/suite.ts.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { goalMet, type Figure } from './figure';
import { benchmarks } from './suite';

function parseArgs(argv: string[]): { json?: string; only?: string; full: boolean } {
  const out: { json?: string; only?: string; full: boolean } = { full: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') out.json = argv[++i];
    else if (arg === '--only') out.only = argv[++i];
    else if (arg === '--full') out.full = true;
    else if (arg === '--help') {
      console.log('usage: npm run bench [-- --json out.json] [--only NAME] [--full]');
      console.log(
        '  --full  measure the 40-epoch training run instead of extrapolating it (about 12 min more)',
      );
      process.exit(0);
    } else {
      console.error(`unknown argument ${arg}`);
      process.exit(2);
    }
  }
  return out;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100
    ? v.toFixed(0)
    : a >= 10
      ? v.toFixed(1)
      : a >= 0.1
        ? v.toFixed(2)
        : v.toPrecision(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = benchmarks.filter((b) => !args.only || b.name.includes(args.only));
  const results: { benchmark: string; issue: number; figures: Figure[]; error?: string }[] = [];
  const started = Date.now();
  for (const bench of selected) {
    console.error(`running ${bench.name} ...`);
    try {
      results.push({
        benchmark: bench.name,
        issue: bench.issue,
        figures: await bench.run({ full: args.full }),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`${bench.name} failed: ${message}`);
      results.push({ benchmark: bench.name, issue: bench.issue, figures: [], error: message });
    }
  }
  const rows: string[][] = [['figure', 'value', 'goal', 'met', 'measured against (same run)']];
  for (const r of results) {
    if (r.error) rows.push([`${r.benchmark}: FAILED`, r.error.slice(0, 60), '', '', '']);
    for (const f of r.figures) {
      const met = goalMet(f);
      const goal = f.goal
        ? `${f.goal.kind === 'atLeast' ? '>=' : '<='} ${fmt(f.goal.value)}${f.goal.note ? ` ${f.goal.note}` : ''}`
        : '';
      const cmp = f.comparison
        ? `${f.comparison.label}: ${fmt(f.comparison.value)} ${f.comparison.unit}`
        : '';
      const judged = f.judged ? ` (${f.judged.label} ${fmt(f.judged.value)})` : '';
      rows.push([
        f.label,
        `${fmt(f.value)} ${f.unit}${judged}`,
        goal,
        met === null ? '' : met ? 'yes' : 'NO',
        cmp,
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${selected.length} benchmarks in ${seconds.toFixed(0)} s on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`,
  );
  if (args.json) {
    const doc = {
      date: new Date().toISOString(),
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        memoryGiB: os.totalmem() / 2 ** 30,
        node: process.version,
      },
      seconds,
      full: args.full,
      results: results.map((r) => ({
        ...r,
        figures: r.figures.map((f) => ({ ...f, met: goalMet(f) })),
      })),
    };
    writeFileSync(args.json, JSON.stringify(doc, null, 2));
    console.log(`results written to ${args.json}`);
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

await main();
