/**
 * `normscope serve`: the workstation in a browser. Builds the core with host
 * 'web', serves the built renderer and the API on the loopback web host and
 * prints the one URL (with its per-run token) that opens it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { NormscopeError } from '../../api/errors';
import { createCore } from '../../core';
import { builtRendererDir } from '../../core/package-info';
import { startWebHost } from '../../host/web-host';
import { createUploadRoute } from '../../imports/upload';
import { dataDirFrom, dataDirOption, parsePort } from '../options';

/** Overrides the renderer folder (tests serve a stand-in page; development a custom build). */
export const RENDERER_DIR_ENV = 'NORMSCOPE_RENDERER_DIR';

interface ServeOptions {
  port?: number;
  dataDir?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the workstation on http://127.0.0.1 (token-protected) for a browser')
    .option('--port <port>', 'TCP port on 127.0.0.1 (default: a free one)', parsePort)
    .addOption(dataDirOption())
    .action(serve);
}

async function serve(opts: ServeOptions): Promise<void> {
  const rendererDir = process.env[RENDERER_DIR_ENV] || builtRendererDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new NormscopeError(
      'Unavailable',
      `the renderer is not built (${join(rendererDir, 'index.html')} is missing); run \`npm run build\` first`,
    );
  }
  const core = await createCore({ dataDir: dataDirFrom(opts), host: 'web' });
  const upload = createUploadRoute({ imports: core.imports, dataDir: core.dataDir });
  const webHost = await startWebHost({ dispatch: core.dispatch, events: core.events, rendererDir, port: opts.port, resources: core.review.resources, upload }).catch(
    async (err: unknown) => {
      await core.close();
      throw new NormscopeError('Unavailable', `cannot listen on 127.0.0.1:${opts.port ?? 0}: ${(err as Error).message}`);
    },
  );
  console.log(`Normscope is serving at ${webHost.url}`);

  await new Promise<void>((resolveStopped) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void webHost
        .close()
        .then(() => core.close())
        .then(resolveStopped, (err: unknown) => {
          console.error('normscope serve: shutting down failed:', err);
          process.exitCode = 1;
          resolveStopped();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
