import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/src-main/**/*.test.ts', 'test/src-common/**/*.test.ts', 'test/src-renderer/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // native modules (better-sqlite3, onnxruntime-node) and child processes: forks isolate them
    pool: 'forks',
  },
});
