import type { Orientation, Vec3 } from './header';

/** The header fields series assembly needs; DicomHeader has them all. */
export interface SeriesMember {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  instanceNumber?: number;
  imagePositionPatient?: Vec3;
  imageOrientationPatient?: Orientation;
}

export interface AssembledSeries<T extends SeriesMember> {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** ordered from the lowest to the highest position along the slice normal (or by Instance Number, then SOP UID) */
  instances: T[];
  /** how the order was decided */
  sortedBy: 'position' | 'instance-number';
  /** shared orientation of the slices, when they all have the same one */
  orientation?: Orientation;
  /** unit normal of the slices (row cosines x column cosines) */
  normal?: Vec3;
  /** median distance between consecutive slice positions along the normal, in mm */
  sliceSpacing?: number;
}

/** Orientations that differ by less than this (in direction cosines) are the same plane. */
const ORIENTATION_TOLERANCE = 1e-4;

/** Unit normal of an image plane: cross product of the row and column direction cosines (PS3.3 C.7.6.2.1.1). */
export function sliceNormal(orientation: Orientation): Vec3 {
  const [rx, ry, rz, cx, cy, cz] = orientation;
  const n: Vec3 = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
  const length = Math.hypot(...n);
  return length > 0 ? [n[0] / length, n[1] / length, n[2] / length] : n;
}

function sameOrientation(a: Orientation, b: Orientation): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) < ORIENTATION_TOLERANCE);
}

function byInstanceNumberThenUid(a: SeriesMember, b: SeriesMember): number {
  const an = a.instanceNumber ?? Number.POSITIVE_INFINITY;
  const bn = b.instanceNumber ?? Number.POSITIVE_INFINITY;
  if (an !== bn) return an < bn ? -1 : 1;
  return a.sopInstanceUid < b.sopInstanceUid ? -1 : a.sopInstanceUid > b.sopInstanceUid ? 1 : 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Orders one series' instances the way a viewer stacks them: by position
 * along the slice normal when every instance has a position and all share an
 * orientation (oblique planes included), else by Instance Number; ties fall
 * back to Instance Number, then SOP Instance UID, so the order is stable.
 */
export function sortSeries<T extends SeriesMember>(
  instances: readonly T[],
): Omit<AssembledSeries<T>, 'studyInstanceUid' | 'seriesInstanceUid'> {
  const first = instances[0]?.imageOrientationPatient;
  const positional =
    first !== undefined &&
    instances.every(
      (i) =>
        i.imagePositionPatient &&
        i.imageOrientationPatient &&
        sameOrientation(i.imageOrientationPatient, first),
    );
  if (!positional)
    return { instances: [...instances].sort(byInstanceNumberThenUid), sortedBy: 'instance-number' };
  const normal = sliceNormal(first);
  const keyed = instances.map((instance) => {
    const p = instance.imagePositionPatient!;
    return { instance, key: p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2] };
  });
  keyed.sort((a, b) =>
    a.key !== b.key ? a.key - b.key : byInstanceNumberThenUid(a.instance, b.instance),
  );
  const gaps = keyed
    .slice(1)
    .map((k, i) => k.key - keyed[i]!.key)
    .filter((gap) => gap > 0);
  return {
    instances: keyed.map((k) => k.instance),
    sortedBy: 'position',
    orientation: first,
    normal,
    ...(gaps.length > 0 ? { sliceSpacing: median(gaps) } : {}),
  };
}

/** Groups instances by Study and Series Instance UID and sorts each series (see sortSeries). */
export function assembleSeries<T extends SeriesMember>(
  instances: readonly T[],
): AssembledSeries<T>[] {
  const groups = new Map<string, T[]>();
  for (const instance of instances) {
    const key = `${instance.studyInstanceUid}\n${instance.seriesInstanceUid}`;
    const group = groups.get(key);
    if (group) group.push(instance);
    else groups.set(key, [instance]);
  }
  return [...groups.keys()].sort().map((key) => {
    const members = groups.get(key)!;
    return {
      studyInstanceUid: members[0]!.studyInstanceUid,
      seriesInstanceUid: members[0]!.seriesInstanceUid,
      ...sortSeries(members),
    };
  });
}
