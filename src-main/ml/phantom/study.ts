/**
 * A phantom series: consecutive slices of one seeded subject, so that a series
 * of N slices reads as a volume (anatomy and lesions change smoothly with z).
 */
import { generatePhantomSlice } from './slice';
import type { PhantomSlice } from './slice';

/** Field of view of every phantom slice, in millimetres (a typical head MR). */
export const PHANTOM_FIELD_OF_VIEW_MM = 240;
/** Axial extent covered by a phantom series, in millimetres, whatever the slice count. */
export const PHANTOM_AXIAL_EXTENT_MM = 120;

export interface PhantomStudyOptions {
  seed: number;
  slices: number;
  size: number;
  lesions: boolean;
}

export interface PhantomStudy {
  seed: number;
  lesions: boolean;
  size: number;
  /** Slices from bottom (index 0) to top. */
  slices: PhantomSlice[];
  /** Distance between pixel centres in both directions, in mm. */
  pixelSpacingMm: number;
  /** Distance between slice centres in mm (also the slice thickness: contiguous slices). */
  sliceSpacingMm: number;
}

/** All `slices` slices of the subject `seed`, bottom to top. */
export function generatePhantomStudy(options: PhantomStudyOptions): PhantomStudy {
  const { seed, slices, size, lesions } = options;
  return {
    seed,
    lesions,
    size,
    slices: Array.from({ length: slices }, (_, sliceIndex) =>
      generatePhantomSlice({ seed, sliceIndex, slices, size, lesions }),
    ),
    pixelSpacingMm: PHANTOM_FIELD_OF_VIEW_MM / size,
    sliceSpacingMm: PHANTOM_AXIAL_EXTENT_MM / slices,
  };
}
