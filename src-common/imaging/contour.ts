/**
 * Outlines of thresholded regions: a pixel is on the contour when it is at or
 * above the threshold and one of its 4 neighbours is below it (or outside the
 * image). One pixel wide, inside the region, so the outline never covers the
 * tissue just outside a finding.
 */

/** Contour mask [height * width] (1 on the outline, 0 elsewhere) of `values >= threshold`. */
export function contourMask(values: ArrayLike<number>, width: number, height: number, threshold: number): Uint8Array {
  if (values.length !== width * height) {
    throw new RangeError(`contourMask: ${values.length} values for a ${width}x${height} image`);
  }
  const mask = new Uint8Array(width * height);
  const inside = (x: number, y: number): boolean =>
    x >= 0 && y >= 0 && x < width && y < height && values[y * width + x]! >= threshold;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x, y)) continue;
      if (!inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1)) mask[y * width + x] = 1;
    }
  }
  return mask;
}
