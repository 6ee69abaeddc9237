import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrey8, loadLabel, readBmadFolder } from '../../../src-main/evaluate/bmad-folder';

let dir: string;

async function png(
  path: string,
  width: number,
  height: number,
  channels: number,
  values: number[],
): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(
    path,
    encode({ width, height, channels, depth: 8, data: Uint8Array.from(values) }),
  );
}

async function layout(root: string, withLabel: boolean): Promise<void> {
  await png(join(root, 'train/good/img/a.png'), 2, 1, 1, [0, 10]);
  await png(join(root, 'test/good/img/b.png'), 2, 1, 1, [0, 10]);
  await png(join(root, 'test/Ungood/img/c.png'), 2, 1, 1, [0, 200]);
  if (withLabel) await png(join(root, 'test/Ungood/label/c.png'), 2, 1, 1, [0, 255]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'normscope-bmad-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readBmadFolder', () => {
  it('lists train, test and (when present) valid images with their labels', async () => {
    const root = join(dir, 'complete');
    await layout(root, true);
    await png(join(root, 'valid/good/img/d.png'), 2, 1, 1, [0, 10]);
    const folder = readBmadFolder(root);
    expect(folder.train.map((f) => f.path)).toEqual([join(root, 'train/good/img/a.png')]);
    expect(folder.test.bad).toEqual([
      {
        path: join(root, 'test/Ungood/img/c.png'),
        labelPath: join(root, 'test/Ungood/label/c.png'),
      },
    ]);
    expect(folder.valid?.good).toHaveLength(1);
    expect(folder.valid?.bad).toHaveLength(0);
  });

  it('refuses an anomalous image without its label, naming the file it expected', async () => {
    const root = join(dir, 'unlabelled');
    await layout(root, false);
    expect(() => readBmadFolder(root)).toThrow(
      /has no label: expected .*test\/Ungood\/label\/c\.png/,
    );
  });

  it('refuses a folder without training images or without one of the test classes', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    expect(() => readBmadFolder(join(dir, 'empty'))).toThrow(/no training images/);
    const root = join(dir, 'no-bad');
    await png(join(root, 'train/good/img/a.png'), 2, 1, 1, [0, 10]);
    await png(join(root, 'test/good/img/b.png'), 2, 1, 1, [0, 10]);
    expect(() => readBmadFolder(root)).toThrow(/normal and anomalous images: found 1 .* and 0/);
  });
});

describe('PNG reading', () => {
  it('reads grey and equal-channel RGB as grey, and refuses colour', async () => {
    await png(join(dir, 'png/rgb.png'), 2, 1, 3, [7, 7, 7, 9, 9, 9]);
    expect(Array.from((await loadGrey8(join(dir, 'png/rgb.png'))).pixels)).toEqual([7, 9]);
    await png(join(dir, 'png/colour.png'), 2, 1, 3, [7, 7, 7, 9, 0, 9]);
    await expect(loadGrey8(join(dir, 'png/colour.png'))).rejects.toThrow(/colour image/);
  });

  it('binarises labels (> 0 in any channel, alpha ignored) and refuses a label of another size', async () => {
    await png(join(dir, 'png/label.png'), 3, 1, 2, [0, 255, 1, 0, 0, 0]);
    expect(Array.from(await loadLabel(join(dir, 'png/label.png'), 3, 1))).toEqual([0, 1, 0]);
    await expect(loadLabel(join(dir, 'png/label.png'), 4, 1)).rejects.toThrow(
      /is 3x1, its image 4x1/,
    );
  });
});
