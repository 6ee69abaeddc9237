/** `app.*`: what the status bar and the About box show. */
import type { Handler } from '../../api/dispatch';
import type { ProviderChoice } from '../execution-provider';
import type { ModelSummary } from '../model-summary';
import type { CoreHost } from '../types';
import type { Settings } from '../../api/contract';

export interface AppStatusSources {
  version: string;
  host: CoreHost;
  dataDir: string;
  models(): ModelSummary;
  provider(preference: Settings['provider']): Promise<ProviderChoice>;
  settings(): Settings;
  database(): { schemaVersion: number; integrity: string };
}

export function appHandlers(sources: AppStatusSources): { 'app.status': Handler<'app.status'> } {
  return {
    'app.status': async () => ({
      version: sources.version,
      // the contract knows the two window hosts; the headless CLI answers like the web host it shares code with
      host: sources.host === 'electron' ? 'electron' : 'web',
      dataDir: sources.dataDir,
      ...sources.models(),
      provider: await sources.provider(sources.settings().provider),
      database: sources.database(),
    }),
  };
}
