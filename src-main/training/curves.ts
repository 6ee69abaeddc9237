/**
 * What the curves of a run tell a user: the epoch after which validation loss
 * stopped improving, and summary metrics recorded with the model.
 */

/** Relative improvement below which an epoch no longer counts as progress (1%). */
export const PLATEAU_TOLERANCE = 0.01;

/**
 * The 1-based epoch after which the loss never again improved on its best by
 * more than `tolerance` (relative): training beyond it bought nothing. The last
 * epoch when the curve was still improving at the end; null for an empty curve.
 * `losses`: one value per epoch, in order.
 */
export function plateauEpoch(losses: readonly number[], tolerance = PLATEAU_TOLERANCE): number | null {
  if (losses.length === 0) return null;
  let best = losses[0]!;
  let bestEpoch = 1;
  for (let i = 1; i < losses.length; i++) {
    const loss = losses[i]!;
    if (loss < best * (1 - tolerance)) {
      best = loss;
      bestEpoch = i + 1;
    } else if (loss < best) {
      best = loss;
    }
  }
  return bestEpoch;
}

/** The 1-based epoch with the lowest value, null for an empty curve. */
export function bestEpoch(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let best = 0;
  values.forEach((v, i) => {
    if (v < values[best]!) best = i;
  });
  return best + 1;
}
