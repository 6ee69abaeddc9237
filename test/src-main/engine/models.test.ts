import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModelWeights, encodeModelWeights } from '../../../src-main/engine/model-weights';
import { loadModelVersion, saveModelVersion } from '../../../src-main/engine/models';
import { parseArConfig } from '../../../src-main/ml/ar/config';
import { initArWeights } from '../../../src-main/ml/ar/weights';
import { DEFAULT_PREPROCESSING } from '../../../src-main/ml/preprocess';
import { probeBackbone } from '../../../src-main/ml/backbone/probe';
import { buildStandInBackbone } from '../../../src-main/ml/backbone/standin';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';
import type { Backbone } from '../../../src-main/store/repositories/models-repository';

describe('model versions', () => {
  let store: Store;
  let backbone: Backbone;
  beforeAll(async () => {
    store = openStore({ memory: true });
    const bytes = buildStandInBackbone({ preset: 'tiny', seed: 4 });
    const file = await store.files.put(bytes);
    const manifest = await probeBackbone(bytes);
    backbone = store.models.addBackbone({
      name: 'tiny',
      sha256: file.sha256,
      fileSha256: file.sha256,
      standIn: true,
      manifest,
    });
  });
  afterAll(() => store.close());

  it('saves a causal model with its flipped partner and loads the same configs and weights back, audited', async () => {
    const config = parseArConfig({
      inChannels: 32,
      hidden: 4,
      layers: 2,
      mode: 'causal',
      dilations: [1],
    });
    const partnerConfig = { ...config, flipped: true };
    const weights = initArWeights(config, 1);
    const partnerWeights = initArWeights(partnerConfig, 2);
    const saved = await saveModelVersion(
      { store },
      {
        name: 'pair',
        backbone,
        config,
        weights,
        partner: { config: partnerConfig, weights: partnerWeights },
        preprocessing: DEFAULT_PREPROCESSING,
        provenance: { seed: 1 },
      },
    );
    const loaded = await loadModelVersion({ store }, saved.id);
    expect(loaded.configs).toEqual([config, partnerConfig]);
    expect(loaded.weights).toEqual(weights);
    expect(loaded.partner?.weights).toEqual(partnerWeights);
    expect(loaded.preprocessing).toEqual(DEFAULT_PREPROCESSING);
    expect(loaded.backbone.id).toBe(backbone.id);
    expect(store.audit.list().at(-1)).toMatchObject({
      action: 'model.save',
      objectIds: { modelVersionId: saved.id },
    });
  });

  it('refuses a model whose channels do not match the backbone, and an unknown id', async () => {
    const config = parseArConfig({ inChannels: 16, hidden: 4, layers: 2, dilations: [1] });
    await expect(
      saveModelVersion(
        { store },
        {
          name: 'wrong',
          backbone,
          config,
          weights: initArWeights(config, 1),
          preprocessing: DEFAULT_PREPROCESSING,
          provenance: {},
        },
      ),
    ).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringContaining('reads 16 feature channels, backbone tiny gives 32'),
    });
    await expect(loadModelVersion({ store }, 'nope')).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('refuses a weights file whose length does not fit the configs', () => {
    const config = parseArConfig({ inChannels: 32, hidden: 4, layers: 2, dilations: [1] });
    const bytes = encodeModelWeights([{ config, weights: initArWeights(config, 1) }]);
    expect(decodeModelWeights([config], bytes).length).toBe(1);
    expect(() => decodeModelWeights([config], bytes.subarray(4))).toThrow(/AR weights file has/);
  });
});
