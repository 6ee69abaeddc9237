/**
 * The data of a training run: which studies are normal, which of them are
 * held out for validation (by study, never by slice: slices of one patient are
 * near copies of each other, so a slice-level split would validate on the
 * training set), which labelled abnormal studies measure validation AUPR, and
 * the frames of each. Pure over the store; the training job records the result.
 */
import { createHash } from 'node:crypto';
import { NormscopeError } from '../api/errors';
import { createRng } from '../ml/random';
import type { Store } from '../store/store';
import type { FrameRef } from './features';

/** Study UIDs picked by hand, every study a reviewer marked normal, or every study not marked otherwise. */
export type NormalSpec = readonly string[] | 'verdict:normal' | 'all';

/**
 * The smallest training set accepted, after the validation hold-out. Two normal
 * studies so that one can be held out by study and validation is not empty;
 * eight training images because below that an epoch is one tiny batch, the
 * 1.2 M-parameter model at paper size learns those few images by heart, and
 * no curve would tell a site anything.
 */
export const MIN_NORMAL_STUDIES = 2;
export const MIN_TRAINING_FRAMES = 8;

/** A study as a run records it: its frames and a hash that changes when its content does. */
export interface StudyEntry {
  studyUid: string;
  instances: number;
  frames: number;
  /** sha256 over the sorted "SOP Instance UID:file sha256" lines of the study */
  sha256: string;
}

export interface TrainingSelection {
  training: StudyEntry[];
  validation: StudyEntry[];
  /** studies whose current verdict is abnormal: validation AUPR only, never trained on */
  abnormal: StudyEntry[];
  /** sha256 over the sorted instance lines of each set, as recorded in provenance */
  trainingSha256: string;
  validationSha256: string;
  abnormalSha256: string;
}

/**
 * Study UIDs of the normal set, sorted. A hand-picked study must exist and
 * must not carry a current abnormal or uncertain verdict; 'all' means every
 * study whose current verdict is neither (unreviewed studies included: the
 * method assumes its training data is normal, and a site that has not reviewed
 * yet trains on what it has).
 */
export function selectNormals(store: Pick<Store, 'studies'>, spec: NormalSpec): string[] {
  const rows = store.studies.listWorklist();
  if (spec === 'verdict:normal') {
    return rows
      .filter((r) => r.verdict?.value === 'normal')
      .map((r) => r.studyUid)
      .sort();
  }
  if (spec === 'all') {
    return rows
      .filter((r) => r.verdict === null || r.verdict.value === 'normal')
      .map((r) => r.studyUid)
      .sort();
  }
  const byUid = new Map(rows.map((r) => [r.studyUid, r]));
  const picked = [...new Set(spec)].sort();
  for (const uid of picked) {
    const row = byUid.get(uid);
    if (!row) throw new NormscopeError('NotFound', `study ${uid} is not in the worklist`);
    if (row.verdict && row.verdict.value !== 'normal') {
      throw new NormscopeError(
        'Refused',
        `study ${uid} is marked ${row.verdict.value}: only normal studies can be trained on`,
      );
    }
  }
  return picked;
}

/** Study UIDs whose current verdict is abnormal, sorted. */
export function selectAbnormals(store: Pick<Store, 'studies'>): string[] {
  return store.studies
    .listWorklist()
    .filter((r) => r.verdict?.value === 'abnormal')
    .map((r) => r.studyUid)
    .sort();
}

/**
 * Splits studies into training and validation by study, seeded: the same
 * studies, share and seed always give the same split. The validation set holds
 * round(share x n) studies, at least one when there are two or more studies and
 * share > 0, and never all of them.
 */
export function splitByStudy(
  studyUids: readonly string[],
  share: number,
  seed: number,
): { training: string[]; validation: string[] } {
  if (!(share >= 0 && share < 1)) {
    throw new NormscopeError('InvalidRequest', `validation share must be in [0, 1), got ${share}`);
  }
  const sorted = [...studyUids].sort();
  const n = sorted.length;
  let count = Math.round(share * n);
  if (share > 0 && n >= 2) count = Math.max(1, count);
  count = Math.min(count, Math.max(0, n - 1));
  const rng = createRng(seed ^ 0x5eed5a1d);
  const order = sorted.map((uid) => ({ uid, key: rng.next() })).sort((a, b) => a.key - b.key);
  const validation = new Set(order.slice(0, count).map((o) => o.uid));
  return {
    training: sorted.filter((uid) => !validation.has(uid)),
    validation: sorted.filter((uid) => validation.has(uid)),
  };
}

interface InstanceLine {
  sopInstanceUid: string;
  fileSha256: string | null;
  frames: number;
}

function studyInstances(store: Pick<Store, 'studies'>, studyUid: string): InstanceLine[] {
  const study = store.studies.getStudy(studyUid);
  if (!study) throw new NormscopeError('NotFound', `study ${studyUid} is not stored`);
  return study.series.flatMap((series) =>
    series.instances
      .filter((instance) => instance.rows > 0 && instance.columns > 0)
      .map((instance) => ({
        sopInstanceUid: instance.sopInstanceUid,
        fileSha256: instance.fileSha256,
        frames: instance.frames,
      })),
  );
}

function hashLines(lines: readonly string[]): string {
  return createHash('sha256').update([...lines].sort().join('\n')).digest('hex');
}

function instanceLines(instances: readonly InstanceLine[]): string[] {
  return instances.map((i) => `${i.sopInstanceUid}:${i.fileSha256 ?? ''}`);
}

/** A study's entry: instance and frame counts and the hash of its content. */
export function studyEntry(store: Pick<Store, 'studies'>, studyUid: string): StudyEntry {
  const instances = studyInstances(store, studyUid);
  return {
    studyUid,
    instances: instances.length,
    frames: instances.reduce((sum, i) => sum + i.frames, 0),
    sha256: hashLines(instanceLines(instances)),
  };
}

/** sha256 over the sorted instance lines of all `studyUids` (the set's identity in provenance). */
export function studySetSha256(store: Pick<Store, 'studies'>, studyUids: readonly string[]): string {
  return hashLines(studyUids.flatMap((uid) => instanceLines(studyInstances(store, uid))));
}

/**
 * The frames of the recorded studies, in a fixed order (study, series,
 * position, frame). Throws Conflict when a study's content changed since it
 * was recorded, so a resumed run never trains on other data than it started on.
 */
export function framesOf(store: Pick<Store, 'studies'>, entries: readonly StudyEntry[]): FrameRef[] {
  const frames: FrameRef[] = [];
  for (const entry of entries) {
    const instances = studyInstances(store, entry.studyUid);
    if (hashLines(instanceLines(instances)) !== entry.sha256) {
      throw new NormscopeError(
        'Conflict',
        `study ${entry.studyUid} changed since the run recorded it (instances added or replaced)`,
      );
    }
    for (const instance of instances) {
      for (let frame = 0; frame < instance.frames; frame++) {
        frames.push({ studyUid: entry.studyUid, sopInstanceUid: instance.sopInstanceUid, frame });
      }
    }
  }
  return frames;
}

/**
 * Chooses the studies of a run: the normal set per `spec`, split by study with
 * `validationShare` and `seed`, plus the labelled abnormal studies. Throws
 * Refused with what is missing when the training set is below the minimum.
 */
export function planSelection(
  store: Pick<Store, 'studies'>,
  spec: NormalSpec,
  validationShare: number,
  seed: number,
): TrainingSelection {
  const normals = selectNormals(store, spec);
  const what = spec === 'verdict:normal' ? 'studies marked normal' : spec === 'all' ? 'studies' : 'chosen studies';
  if (normals.length < MIN_NORMAL_STUDIES) {
    throw new NormscopeError(
      'Refused',
      `training needs at least ${MIN_NORMAL_STUDIES} normal studies (one is held out for validation); ` +
        `found ${normals.length} ${what}`,
    );
  }
  const split = splitByStudy(normals, validationShare, seed);
  const training = split.training.map((uid) => studyEntry(store, uid));
  const trainingFrames = training.reduce((sum, s) => sum + s.frames, 0);
  if (trainingFrames < MIN_TRAINING_FRAMES) {
    throw new NormscopeError(
      'Refused',
      `training needs at least ${MIN_TRAINING_FRAMES} normal images after holding out validation studies; ` +
        `the ${training.length} training ${training.length === 1 ? 'study has' : 'studies have'} ${trainingFrames}`,
    );
  }
  const validation = split.validation.map((uid) => studyEntry(store, uid));
  const abnormal = selectAbnormals(store).map((uid) => studyEntry(store, uid));
  return {
    training,
    validation,
    abnormal,
    trainingSha256: studySetSha256(store, split.training),
    validationSha256: studySetSha256(store, split.validation),
    abnormalSha256: studySetSha256(store, abnormal.map((s) => s.studyUid)),
  };
}
