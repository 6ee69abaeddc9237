import { describe, expect, it } from 'vitest';
import type { TrainingRunInfo } from '../../../src-main/api/contract';
import {
  draftFromDefaults,
  epochsColumn,
  epochText,
  formatEta,
  requestFromDraft,
} from '../../../src-renderer/training/training-form';

const DEFAULTS = {
  recipe: {
    epochs: 40,
    batchSize: 64,
    lr: 0.001,
    warmupSteps: 0,
    seed: 0,
    noiseP: 0.2,
    noiseScale: 0.03,
  },
  model: {
    mode: 'bidirectional' as const,
    dilations: [4, 4, 4, 4],
    hidden: 256,
    layers: 5,
    kernel: 3,
    flipped: false,
  },
  validationShare: 0.2,
  minimum: { studies: 2, trainingFrames: 8 },
};

describe('training form', () => {
  it('turns the pre-filled paper recipe into the request the host would receive', () => {
    const draft = draftFromDefaults(DEFAULTS);
    expect(draft.dilations).toBe('4, 4, 4, 4');
    expect(requestFromDraft(draft)).toEqual({
      request: {
        normals: 'verdict:normal',
        recipe: { epochs: 40, batchSize: 64, lr: 0.001, warmupSteps: 0, seed: 0 },
        model: { mode: 'bidirectional', dilations: [4, 4, 4, 4], flipped: false },
        validationShare: 0.2,
      },
    });
  });

  it('sends hand-picked studies and names the fields it cannot read', () => {
    const draft = {
      ...draftFromDefaults(DEFAULTS),
      normals: 'picked' as const,
      picked: ['1.2.3'],
      dilations: '1,2 4 8',
      name: ' v2 ',
    };
    expect(requestFromDraft(draft)).toMatchObject({
      request: { normals: ['1.2.3'], model: { dilations: [1, 2, 4, 8] }, name: 'v2' },
    });
    const bad = {
      ...draft,
      picked: [],
      epochs: '0',
      lr: 'fast',
      dilations: '4, 0',
      validationShare: '1',
    };
    expect(requestFromDraft(bad)).toEqual({
      errors: {
        epochs: 'Enter at least 1',
        lr: expect.stringMatching(/learning rate/),
        dilations: expect.stringMatching(/positive whole numbers/),
        validationShare: expect.stringMatching(/share/),
        picked: expect.stringMatching(/Tick/),
      },
    });
  });

  it('asks for the flipped partner only in causal mode', () => {
    const causal = { ...draftFromDefaults(DEFAULTS), mode: 'causal' as const, flipped: true };
    expect(requestFromDraft(causal)).toMatchObject({
      request: { model: { mode: 'causal', flipped: true } },
    });
    // the box stays ticked while the user tries another mode, but is not sent with it
    expect(requestFromDraft({ ...causal, mode: 'bidirectional' })).toMatchObject({
      request: { model: { mode: 'bidirectional', flipped: false } },
    });
  });

  it('says which model of a run with a flipped partner is training', () => {
    const run = {
      recipe: { ...DEFAULTS.recipe, epochs: 40 },
      epochsDone: 40,
      partner: {
        model: {},
        seed: 1,
        curves: { trainLoss: [], valLoss: [], valAupr: [] },
        epochsDone: 3,
      },
    } as unknown as TrainingRunInfo;
    expect(epochText(run, null)).toBe('flipped partner, 3 of 40');
    expect(epochsColumn(run)).toBe('40 / 40 + 3 / 40 flipped');
    expect(
      epochText({ ...run, epochsDone: 12, partner: { ...run.partner!, epochsDone: 0 } }, null),
    ).toBe('main model, 12 of 40');
    const live = {
      phase: 'training',
      model: 'partner',
      models: 2,
      epoch: 4,
      epochs: 40,
    } as Parameters<typeof epochText>[1];
    expect(epochText(run, live)).toBe('flipped partner, 4 of 40');
    expect(epochsColumn({ ...run, partner: null })).toBe('40 / 40');
    expect(epochText({ ...run, partner: null }, { ...live!, model: 'main', models: 1 })).toBe(
      '4 of 40',
    );
  });

  it('says the time left in words a person reads at a glance', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(42.4)).toBe('42 s');
    expect(formatEta(200)).toBe('3 min 20 s');
    expect(formatEta(7500)).toBe('2 h 5 min');
  });
});
