/**
 * The trail fails closed: when the audit entry cannot be written, the action
 * it records does not happen, and an action that fails leaves a 'refused'
 * entry where the trail can still be written.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { headAnchorPath } from '../../../src-main/audit/head-anchor';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { performAudited } from '../../../src-main/audit/audited-action';
import { NormscopeError } from '../../../src-main/api/errors';
import { settingsHandlers } from '../../../src-main/core/handlers/settings';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshStore(): Store {
  const dataDir = mkdtempSync(join(tmpdir(), 'normscope-failclosed-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  stores.push(store);
  return store;
}

/** What a full disk or a locked table does to the audit insert, made deterministic. */
function breakAuditInserts(store: Store): void {
  store.db.exec(
    "CREATE TEMP TRIGGER audit_insert_fails BEFORE INSERT ON main.audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
  );
}

describe('fail-closed audit trail', () => {
  it('refuses a settings change whose audit entry cannot be written, and the setting stays as it was', async () => {
    const store = freshStore();
    const handlers = settingsHandlers(store);
    await handlers['settings.update']({ threads: 2 }, { transport: 'test' });
    breakAuditInserts(store);

    let thrown: unknown;
    try {
      await handlers['settings.update'](
        { threads: 8, importMode: 'reference' },
        { transport: 'test' },
      );
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NormscopeError);
    expect(thrown).toMatchObject({
      name: 'Refused',
      message: expect.stringMatching(/settings.change was refused .*disk is full/),
    });
    expect(await handlers['settings.get']({}, { transport: 'test' })).toMatchObject({
      threads: 2,
      importMode: 'copy',
    });
    expect(store.audit.list().map((e) => e.action)).toEqual(['settings.change']);
    expect(store.audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });

  it('refuses the action when the head anchor outside the database cannot be written', () => {
    const store = freshStore();
    // a directory where the anchor file should be: neither read nor replaced, whoever runs the test
    mkdirSync(join(headAnchorPath(store.dataDir!), 'blocker'), { recursive: true });
    expect(() =>
      performAudited(store, {
        actor: 'system',
        action: 'settings.change',
        objectIds: {},
        run: () => store.settings.merge({ threads: 4 }),
      }),
    ).toThrow(/refused because the audit trail cannot be written/);
    expect(store.settings.getAll()).toEqual({});
    expect(store.audit.count()).toBe(0);
  });

  it('records an action that failed as a refused entry, with its error', () => {
    const store = freshStore();
    expect(() =>
      performAudited(store, {
        actor: 'dr-a',
        action: 'verdict.record',
        objectIds: { studyUid: '1.2.3' },
        run: () =>
          store.verdicts.append({ studyUid: '1.2.3', reviewerId: 'nobody', verdict: 'normal' }),
      }),
    ).toThrow(/FOREIGN KEY/);
    const [entry] = store.audit.list();
    expect(entry).toMatchObject({
      actor: 'dr-a',
      action: 'refused',
      objectIds: { studyUid: '1.2.3' },
      details: {
        attempted: 'verdict.record',
        error: { name: 'Internal', message: expect.stringMatching(/FOREIGN KEY/) },
      },
    });
    expect(store.verdicts.history('1.2.3')).toEqual([]);
  });

  it('adds what is known only after the action (describe) to the entry', () => {
    const store = freshStore();
    const reviewer = performAudited(store, {
      actor: 'system',
      action: 'settings.change',
      objectIds: {},
      run: () => store.reviewers.create('Dr A'),
      describe: (created) => ({ objectIds: { reviewerId: created.id } }),
    });
    expect(store.audit.list()[0]?.objectIds).toEqual({ reviewerId: reviewer.id });
  });
});
