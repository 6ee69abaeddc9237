/**
 * Reading a data set in BMAD's folder layout (the benchmark the paper
 * evaluates on; written by ml/phantom/bmad.ts for the phantom):
 *
 *   train/good/img/*.png                                    normal training images (required)
 *   valid/good/img/*.png, valid/Ungood/{img,label}/*.png    optional, for checkpoint selection only
 *   test/good/img/*.png                                     normal test images
 *   test/Ungood/img/*.png + test/Ungood/label/*.png         anomalous test images and their masks
 *
 * A label has the file name of its image. Images are 8-bit grey PNGs (an RGB
 * PNG whose three channels are equal is read as grey); labels are binarised
 * (> 0 in any channel is anomalous) at their own resolution, which must be the
 * image's.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { NormscopeError } from '../api/errors';
import type { GreyImage8 } from '../ml/phantom/bmad';

/** One image of a split; `labelPath` for anomalous images only. */
export interface BmadImageFile {
  path: string;
  labelPath?: string;
}

export interface BmadSplit {
  good: BmadImageFile[];
  bad: BmadImageFile[];
}

export interface BmadFolder {
  root: string;
  train: BmadImageFile[];
  /** Present when the folder has a valid/ split with at least one image. */
  valid?: BmadSplit;
  test: BmadSplit;
}

function pngFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.png'))
    .sort();
}

function goodImages(dir: string): BmadImageFile[] {
  const img = join(dir, 'img');
  return pngFiles(img).map((name) => ({ path: join(img, name) }));
}

function badImages(dir: string): BmadImageFile[] {
  const img = join(dir, 'img');
  const label = join(dir, 'label');
  return pngFiles(img).map((name) => {
    const labelPath = join(label, name);
    if (!existsSync(labelPath)) {
      throw new NormscopeError(
        'InvalidRequest',
        `anomalous image ${join(img, name)} has no label: expected ${labelPath}`,
      );
    }
    return { path: join(img, name), labelPath };
  });
}

/**
 * Lists the images of a BMAD-layout folder. Throws InvalidRequest when the
 * folder lacks training images, normal test images or anomalous test images
 * (every metric needs both classes), or an anomalous image lacks its label.
 */
export function readBmadFolder(root: string): BmadFolder {
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new NormscopeError('InvalidRequest', `BMAD folder not found: ${root}`);
  const train = goodImages(join(root, 'train', 'good'));
  if (train.length === 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `no training images: expected PNGs in ${join(root, 'train', 'good', 'img')}`,
    );
  }
  const test = {
    good: goodImages(join(root, 'test', 'good')),
    bad: badImages(join(root, 'test', 'Ungood')),
  };
  if (test.good.length === 0 || test.bad.length === 0) {
    throw new NormscopeError(
      'InvalidRequest',
      `the test split needs normal and anomalous images: found ${test.good.length} in test/good/img and ` +
        `${test.bad.length} in test/Ungood/img under ${root}`,
    );
  }
  const valid = {
    good: goodImages(join(root, 'valid', 'good')),
    bad: badImages(join(root, 'valid', 'Ungood')),
  };
  const hasValid = valid.good.length + valid.bad.length > 0;
  return { root, train, test, ...(hasValid ? { valid } : {}) };
}

interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
}

async function decodePng(path: string): Promise<DecodedPng> {
  let png;
  try {
    png = decode(await readFile(path));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NormscopeError('InvalidRequest', `${path} is not a readable PNG: ${reason}`);
  }
  if (png.depth !== 8 || png.palette !== undefined) {
    throw new NormscopeError(
      'InvalidRequest',
      `${path}: only 8-bit grey or RGB PNGs are supported (this one is ${png.depth}-bit${png.palette ? ', palette' : ''})`,
    );
  }
  return { width: png.width, height: png.height, channels: png.channels, data: png.data };
}

/** An 8-bit grey image from a PNG: grey (+alpha, ignored) or RGB(A) with equal channels. */
export async function loadGrey8(path: string): Promise<GreyImage8> {
  const png = await decodePng(path);
  const { width, height, channels, data } = png;
  const pixels = new Uint8Array(width * height);
  const colour = channels >= 3;
  for (let p = 0; p < pixels.length; p++) {
    const base = p * channels;
    const grey = data[base]!;
    if (colour && (data[base + 1] !== grey || data[base + 2] !== grey)) {
      throw new NormscopeError(
        'InvalidRequest',
        `${path} is a colour image (pixel ${p} is not grey); evaluate reads grey medical images only`,
      );
    }
    pixels[p] = grey;
  }
  return { pixels, width, height };
}

/** A binary label [height, width] (1 where any colour channel is > 0); its size must be the image's. */
export async function loadLabel(path: string, width: number, height: number): Promise<Uint8Array> {
  const png = await decodePng(path);
  if (png.width !== width || png.height !== height) {
    throw new NormscopeError(
      'InvalidRequest',
      `label ${path} is ${png.width}x${png.height}, its image ${width}x${height}`,
    );
  }
  const { channels, data } = png;
  // an alpha channel is not a label value
  const valueChannels = channels === 2 || channels === 4 ? channels - 1 : channels;
  const label = new Uint8Array(width * height);
  for (let p = 0; p < label.length; p++) {
    for (let c = 0; c < valueChannels; c++) if (data[p * channels + c]! > 0) label[p] = 1;
  }
  return label;
}
