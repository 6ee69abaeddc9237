/**
 * The Training page's form: text fields as typed, turned into a
 * `training.start` request, with a message per field that cannot be read. The
 * host validates again; this only keeps obvious typos from a round trip.
 */
import type {
  Params,
  Result,
  TrainingProgress,
  TrainingRunInfo,
} from '../../src-main/api/contract';

export type NormalsChoice = 'verdict:normal' | 'all' | 'picked';
export type ArMode = 'bidirectional' | 'causal' | 'standard';

export interface TrainingDraft {
  normals: NormalsChoice;
  picked: string[];
  epochs: string;
  batchSize: string;
  lr: string;
  warmupSteps: string;
  seed: string;
  mode: ArMode;
  /** causal only: also train the flipped partner (maps averaged); ignored in other modes */
  flipped: boolean;
  dilations: string;
  validationShare: string;
  name: string;
}

export type DraftErrors = Partial<Record<keyof TrainingDraft, string>>;

/** The form filled with the host's defaults (the paper's recipe). */
export function draftFromDefaults(defaults: Result<'training.defaults'>): TrainingDraft {
  return {
    normals: 'verdict:normal',
    picked: [],
    epochs: String(defaults.recipe.epochs),
    batchSize: String(defaults.recipe.batchSize),
    lr: String(defaults.recipe.lr),
    warmupSteps: String(defaults.recipe.warmupSteps),
    seed: String(defaults.recipe.seed),
    mode: defaults.model.mode,
    flipped: defaults.model.flipped,
    dilations: defaults.model.dilations.join(', '),
    validationShare: String(defaults.validationShare),
    name: '',
  };
}

function integerField(text: string, min: number): number | string {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value)) return 'a whole number';
  if (value < min) return `at least ${min}`;
  return value;
}

/** The request of a draft, or the errors that stop it. */
export function requestFromDraft(
  draft: TrainingDraft,
): { request: Params<'training.start'> } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const read = (key: keyof TrainingDraft, parsed: number | string): number => {
    if (typeof parsed === 'string') {
      errors[key] = `Enter ${parsed}`;
      return 0;
    }
    return parsed;
  };
  const epochs = read('epochs', integerField(draft.epochs, 1));
  const batchSize = read('batchSize', integerField(draft.batchSize, 1));
  const warmupSteps = read('warmupSteps', integerField(draft.warmupSteps, 0));
  const seed = read('seed', integerField(draft.seed, 0));
  const lr = Number(draft.lr.trim());
  if (!(lr > 0 && lr <= 1)) errors.lr = 'Enter a learning rate in (0, 1], e.g. 0.001';
  const validationShare = Number(draft.validationShare.trim());
  if (!(validationShare >= 0 && validationShare < 1))
    errors.validationShare = 'Enter a share in [0, 1), e.g. 0.2';
  const dilations = draft.dilations
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (dilations.length === 0 || dilations.some((d) => !Number.isInteger(d) || d < 1)) {
    errors.dilations = 'Enter positive whole numbers, e.g. 4, 4, 4, 4';
  }
  if (draft.normals === 'picked' && draft.picked.length === 0)
    errors.picked = 'Tick the normal studies to train on';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    request: {
      normals: draft.normals === 'picked' ? [...draft.picked] : draft.normals,
      recipe: { epochs, batchSize, lr, warmupSteps, seed },
      // a ticked box is kept while another mode is chosen, but sent only for causal (the host refuses it otherwise)
      model: { mode: draft.mode, dilations, flipped: draft.mode === 'causal' && draft.flipped },
      validationShare,
      ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
    },
  };
}

/** "3 min 20 s" style; null when unknown. */
export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Whether a run's partner phase has begun: its main model is done and the partner trains (or has trained). */
export function inPartnerPhase(run: TrainingRunInfo): boolean {
  return (
    run.partner !== null && (run.partner.epochsDone > 0 || run.epochsDone >= run.recipe.epochs)
  );
}

/** "12 of 40", or with a partner "flipped partner, 3 of 40": the epoch the run is at, from live events when there are some. */
export function epochText(run: TrainingRunInfo, live: TrainingProgress | null): string {
  if (live) {
    if (live.phase === 'features') return `features ${live.done}/${live.total}`;
    const who =
      live.models > 1 ? (live.model === 'partner' ? 'flipped partner, ' : 'main model, ') : '';
    return `${who}${live.epoch} of ${live.epochs}`;
  }
  if (!run.partner) return `${run.epochsDone} of ${run.recipe.epochs}`;
  return inPartnerPhase(run)
    ? `flipped partner, ${run.partner.epochsDone} of ${run.recipe.epochs}`
    : `main model, ${run.epochsDone} of ${run.recipe.epochs}`;
}

/** The epochs column of the runs table: "40 / 40", or "40 / 40 + 3 / 40 flipped" for a run with a partner. */
export function epochsColumn(run: TrainingRunInfo): string {
  const main = `${run.epochsDone} / ${run.recipe.epochs}`;
  return run.partner ? `${main} + ${run.partner.epochsDone} / ${run.recipe.epochs} flipped` : main;
}
