/**
 * Patient orientation markers and the scale bar, from the image plane
 * attributes (PS3.3 C.7.6.2: ImageOrientationPatient in the LPS patient
 * system, PixelSpacing in mm).
 */

/** Letters for a direction in LPS: the axes it mostly points along, strongest first (e.g. 'L', 'PH'... as 'LA'). */
export function directionLabel(vector: readonly number[]): string {
  const letters: Array<[number, string]> = [
    [vector[0] ?? 0, (vector[0] ?? 0) > 0 ? 'L' : 'R'],
    [vector[1] ?? 0, (vector[1] ?? 0) > 0 ? 'P' : 'A'],
    [vector[2] ?? 0, (vector[2] ?? 0) > 0 ? 'S' : 'I'],
  ];
  return letters
    .filter(([component]) => Math.abs(component) > 0.25)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([, letter]) => letter)
    .join('');
}

export interface OrientationMarkers {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

/** Markers at the four edges of an image with the given ImageOrientationPatient, or null when absent. */
export function orientationMarkers(orientation: readonly number[] | null | undefined): OrientationMarkers | null {
  if (!orientation || orientation.length !== 6) return null;
  const row = orientation.slice(0, 3);
  const column = orientation.slice(3, 6);
  const negate = (v: number[]): number[] => v.map((x) => -x);
  return {
    right: directionLabel(row),
    left: directionLabel(negate(row)),
    bottom: directionLabel(column),
    top: directionLabel(negate(column)),
  };
}

const NICE_LENGTHS_MM = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * A scale bar of a round length in mm that is at most `maxScreenPx` long:
 * `mmPerScreenPx` = column spacing / zoom. Null without spacing.
 */
export function scaleBar(mmPerScreenPx: number | null, maxScreenPx = 140): { mm: number; px: number } | null {
  if (!mmPerScreenPx || !(mmPerScreenPx > 0)) return null;
  let best: { mm: number; px: number } | null = null;
  for (const mm of NICE_LENGTHS_MM) {
    const px = mm / mmPerScreenPx;
    if (px <= maxScreenPx) best = { mm, px };
  }
  return best;
}
