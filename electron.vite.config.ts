import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for the three processes. The main bundle also carries the plain-Node
// entries (CLI, supervised worker) so the CLI and web host run the same code as
// the app.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/app/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
          worker: resolve(__dirname, 'src-main/jobs/worker-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // a sandboxed preload can require only 'electron': bundle the contract's dependencies (zod)
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/app/preload.ts') },
        // sandboxed preloads must be CommonJS
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
