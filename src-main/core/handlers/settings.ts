/** `settings.*`: the user's settings, validated by the contract's schema and kept in the store. */
import { Settings } from '../../api/contract';
import type { Handler } from '../../api/dispatch';
import { performAudited } from '../../audit/audited-action';
import type { Store } from '../../store/store';

/**
 * Stored values -> Settings. A value that no longer fits the schema (written
 * by another version) falls back to its default instead of failing every read.
 */
export function settingsFromStored(stored: Record<string, unknown>): Settings {
  const result: Record<string, unknown> = Settings.parse({});
  for (const [key, field] of Object.entries(Settings.shape)) {
    if (!(key in stored)) continue;
    const parsed = field.safeParse(stored[key]);
    if (parsed.success) result[key] = parsed.data;
  }
  return result as Settings;
}

export function readSettings(store: Pick<Store, 'settings'>): Settings {
  return settingsFromStored(store.settings.getAll());
}

export function settingsHandlers(
  store: Pick<Store, 'settings' | 'audit' | 'transaction'>,
): { 'settings.get': Handler<'settings.get'>; 'settings.update': Handler<'settings.update'> } {
  return {
    'settings.get': () => readSettings(store),
    'settings.update': (patch, ctx) => {
      const before = readSettings(store);
      const changed = Object.keys(patch) as Array<keyof Settings>;
      // refused as a whole when the audit entry cannot be written (the trail fails closed)
      performAudited(store, {
        actor: 'system',
        action: 'settings.change',
        objectIds: { settings: changed },
        details: {
          from: Object.fromEntries(changed.map((key) => [key, before[key]])),
          to: patch,
          transport: ctx.transport,
        },
        run: () => store.settings.merge(patch),
      });
      return readSettings(store);
    },
  };
}
