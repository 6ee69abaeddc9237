/**
 * One measured import in a fresh process, so its peak memory is the import's
 * own (plus Node's baseline, reported beside it): opens a store in `dataDir`,
 * imports `paths` through the product's import engine (header parse, streamed
 * copy into the content store with fsync, one transaction per file) and
 * prints one JSON line {instances, failed, seconds, cpuSeconds, rssBeforeKb, maxRssKb}.
 * argv: <dataDir> <mode copy|reference> <path...>
 */
import { importDicom } from '../src-main/dicom/import';
import { openStore } from '../src-main/store';

const [dataDir, mode, ...paths] = process.argv.slice(2) as [
  string,
  'copy' | 'reference',
  ...string[],
];
const store = openStore({ dataDir });
try {
  const rssBeforeKb = Math.round(process.memoryUsage().rss / 1024);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await importDicom(store, paths, { mode });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // maxRSS is in kilobytes (getrusage ru_maxrss)
  const maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(
    `${JSON.stringify({ instances: result.imported, failed: result.failed, seconds, cpuSeconds, rssBeforeKb, maxRssKb })}\n`,
  );
} finally {
  store.close();
}
