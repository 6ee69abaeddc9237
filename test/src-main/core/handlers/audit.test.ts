/** audit.list pages through the trail newest first; audit.verify reports the chain's state through the contract. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../../src-main/api/dispatch';
import type { Handlers } from '../../../../src-main/api/dispatch';
import { auditHandlers } from '../../../../src-main/core/handlers/audit';
import { openStore } from '../../../../src-main/store/store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('audit handlers', () => {
  it('pages through the trail newest first and verifies it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'normscope-audit-api-'));
    dirs.push(dataDir);
    const store = openStore({ dataDir });
    for (let i = 1; i <= 7; i++)
      store.audit.append({ actor: 'system', action: 'settings.change', objectIds: { n: i } });
    const dispatch = createDispatcher(auditHandlers(store) as unknown as Handlers);
    const ctx = { transport: 'test' } as const;

    const first = await dispatch('audit.list', { limit: 3 }, ctx);
    expect(first).toMatchObject({ ok: true, result: { total: 7, nextBeforeSeq: 4 } });
    const firstPage = (first as { result: { entries: Array<{ seq: number }> } }).result.entries;
    expect(firstPage.map((e) => e.seq)).toEqual([7, 6, 5]);
    const last = await dispatch('audit.list', { limit: 5, beforeSeq: 2 }, ctx);
    expect(last).toMatchObject({
      ok: true,
      result: { nextBeforeSeq: null, entries: [{ seq: 2 }, { seq: 1 }] },
    });
    expect(await dispatch('audit.list', { limit: 0 }, ctx)).toMatchObject({
      ok: false,
      error: { name: 'InvalidRequest' },
    });

    expect(await dispatch('audit.verify', {}, ctx)).toMatchObject({
      ok: true,
      result: {
        ok: true,
        entries: 7,
        headSeq: 7,
        anchor: 'confirmed',
        summary: 'Audit chain verified (7 entries)',
      },
    });
    store.close();
  });
});
