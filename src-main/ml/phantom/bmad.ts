/**
 * BMAD's folder layout (the benchmark the paper evaluates on) written with
 * 8-bit grey PNGs, and a phantom data set in that layout:
 *
 *   train/good/img/*.png                     normal training images
 *   valid/good/img/*.png, valid/Ungood/{img,label}/*.png   optional, for checkpoint selection
 *   test/good/img/*.png                      normal test images
 *   test/Ungood/img/*.png + test/Ungood/label/*.png        anomalous images and their masks (0 / 255)
 *
 * A label has the same file name as its image.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { generatePhantomSlice } from './slice';
import type { PhantomSlice } from './slice';

/** An 8-bit grey image, [height, width] row-major. */
export interface GreyImage8 {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** An anomalous image with its ground truth: `mask` [height, width], non-zero where anomalous. */
export interface AnomalousImage {
  image: GreyImage8;
  mask: Uint8Array;
}

export interface BmadSet {
  trainGood: GreyImage8[];
  testGood: GreyImage8[];
  testBad: AnomalousImage[];
  valid?: { good: GreyImage8[]; bad: AnomalousImage[] };
}

function pngOf(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (pixels.length !== width * height) {
    throw new RangeError(`image has ${pixels.length} pixels, expected ${width}x${height}`);
  }
  return encode({ width, height, data: pixels, channels: 1, depth: 8 });
}

const fileName = (index: number): string => `${String(index).padStart(5, '0')}.png`;

async function writeImages(dir: string, images: GreyImage8[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [i, image] of images.entries()) {
    await writeFile(join(dir, fileName(i)), pngOf(image.pixels, image.width, image.height));
  }
}

async function writeAnomalous(dir: string, cases: AnomalousImage[]): Promise<void> {
  await writeImages(
    join(dir, 'img'),
    cases.map((c) => c.image),
  );
  await mkdir(join(dir, 'label'), { recursive: true });
  for (const [i, c] of cases.entries()) {
    const label = c.mask.map((m) => (m !== 0 ? 255 : 0));
    await writeFile(join(dir, 'label', fileName(i)), pngOf(label, c.image.width, c.image.height));
  }
}

/** Writes `set` under `dir` in BMAD's layout (see the module comment); files are named 00000.png, 00001.png, ... */
export async function writeBmadLayout(dir: string, set: BmadSet): Promise<void> {
  await writeImages(join(dir, 'train', 'good', 'img'), set.trainGood);
  await writeImages(join(dir, 'test', 'good', 'img'), set.testGood);
  await writeAnomalous(join(dir, 'test', 'Ungood'), set.testBad);
  if (set.valid !== undefined) {
    await writeImages(join(dir, 'valid', 'good', 'img'), set.valid.good);
    await writeAnomalous(join(dir, 'valid', 'Ungood'), set.valid.bad);
  }
}

/** Stored values mapped linearly to 8 bits: 0 -> 0, this value and above -> 255 (the phantom's tissue stays below). */
const PHANTOM_WHITE_LEVEL = 3000;

/** A phantom slice as an 8-bit grey image (fixed linear window 0..3000 of the 12-bit values). */
export function phantomToGrey8(slice: PhantomSlice): GreyImage8 {
  const pixels = new Uint8Array(slice.pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.min(255, Math.round((slice.pixels[i]! * 255) / PHANTOM_WHITE_LEVEL));
  }
  return { pixels, width: slice.size, height: slice.size };
}

export interface PhantomBmadOptions {
  seed: number;
  /** Side of each square image in pixels. */
  size: number;
  trainGood: number;
  testGood: number;
  testBad: number;
  /** Normal and anomalous validation images (none when absent). */
  valid?: { good: number; bad: number };
}

/** Slices per virtual series from which the images are taken: indices 6..14 of 21 span z 0.3..0.7. */
const SERIES_SLICES = 21;
const MIDDLE_SLICE = 10;

/**
 * A BMAD-style phantom set: every image comes from a different subject and a
 * slice position between z = 0.3 and 0.7; anomalous images always show at
 * least one lesion (the middle slice is used when the drawn one misses them).
 * The split is by subject, so no subject is in two splits.
 */
export function generatePhantomBmadSet(options: PhantomBmadOptions): BmadSet {
  let subject = 0;
  const nextSeed = (): number => (options.seed * 1_000_003 + subject++) >>> 0;
  const sliceIndexFor = (s: number): number => 6 + (s % 9);
  const good = (count: number): GreyImage8[] =>
    Array.from({ length: count }, () => {
      const seed = nextSeed();
      const slice = generatePhantomSlice({
        seed,
        sliceIndex: sliceIndexFor(seed),
        slices: SERIES_SLICES,
        size: options.size,
        lesions: false,
      });
      return phantomToGrey8(slice);
    });
  const bad = (count: number): AnomalousImage[] =>
    Array.from({ length: count }, () => {
      const seed = nextSeed();
      const common = { seed, slices: SERIES_SLICES, size: options.size, lesions: true };
      let slice = generatePhantomSlice({ ...common, sliceIndex: sliceIndexFor(seed) });
      if (!slice.mask.includes(1))
        slice = generatePhantomSlice({ ...common, sliceIndex: MIDDLE_SLICE });
      return { image: phantomToGrey8(slice), mask: slice.mask };
    });
  const set: BmadSet = {
    trainGood: good(options.trainGood),
    testGood: good(options.testGood),
    testBad: bad(options.testBad),
  };
  if (options.valid !== undefined)
    set.valid = { good: good(options.valid.good), bad: bad(options.valid.bad) };
  return set;
}
