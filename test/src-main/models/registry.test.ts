import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core';
import { call, removeDirs } from '../training/core-helpers';
import { coreWithBackbone, trainedModel } from './model-helpers';

const dirs: string[] = [];
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await removeDirs(dirs);
});

describe('model registry', () => {
  it('activates, rolls back to the version active before, audits both, and never rewrites old scores', async () => {
    const core = await coreWithBackbone(dirs, cores);
    const first = await trainedModel(core, 1);
    const second = await trainedModel(core, 2);
    await expect(call(core, 'models.rollback', {})).rejects.toThrow(/Conflict: no model is active/);
    expect(await call(core, 'models.rollbackTarget', {})).toBeNull();

    await call(core, 'models.activate', { id: first });
    expect(await call(core, 'models.rollbackTarget', {})).toBeNull();
    const studyUid = core.store.studies.listWorklist()[0]!.studyUid;
    const scoring = core.store.scoring.startRun({
      modelVersionId: first,
      backboneSha256: core.store.models.listBackbones()[0]!.sha256,
      onnxruntimeVersion: 'test',
      provider: 'cpu',
      threads: 1,
    });
    core.store.scoring.putStudyScore(scoring.id, studyUid, 0.5);

    const activated = await call(core, 'models.activate', { id: second });
    expect(activated.model).toMatchObject({ id: second, active: true });
    expect(activated.studiesScoredByOtherVersions).toBe(1);
    const row = core.store.studies.listWorklist().find((r) => r.studyUid === studyUid)!;
    expect(row.score).toMatchObject({ modelVersionId: first, value: 0.5 });
    expect((await call(core, 'app.status', {})).activeModel).toMatchObject({ id: second });
    expect(await call(core, 'models.rollbackTarget', {})).toMatchObject({ id: first, active: false });

    const rolledBack = await call(core, 'models.rollback', {});
    expect(rolledBack.model).toMatchObject({ id: first, active: true });
    await expect(call(core, 'models.rollback', {})).rejects.toThrow(/no earlier active version/);
    expect(await call(core, 'models.rollbackTarget', {})).toBeNull();
    const trail = core.store.audit.list().filter((e) => e.action === 'model.activate' || e.action === 'model.rollback');
    expect(trail.map((e) => [e.action, e.objectIds.modelVersionId])).toEqual([
      ['model.activate', first],
      ['model.activate', second],
      ['model.rollback', first],
    ]);

    const compared = await call(core, 'models.compare', { ids: [first, second] });
    expect(compared.versions.map((v) => v.curves.valLoss.length)).toEqual([2, 2]);
    expect(compared.expectations[0]!.text).toMatch(/epoch/);
  });
});
