import { defineConfig } from 'vitest/config';

// End-to-end tests: the real `normscope serve` driven through Debian's Chromium
// (playwright-core). They need the production build (`npm run build`) first.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    // one browser and one host at a time: the machines running these have two cores
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
