import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePhantomBmadSet, writeBmadLayout } from '../../../../src-main/ml/phantom/bmad';

describe('BMAD layout of phantom images', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes train/test/valid folders of 8-bit grey PNGs with 0/255 labels matching the lesion masks', async () => {
    const set = generatePhantomBmadSet({
      seed: 3,
      size: 64,
      trainGood: 3,
      testGood: 2,
      testBad: 2,
      valid: { good: 1, bad: 1 },
    });
    for (const bad of [...set.testBad, ...set.valid!.bad])
      expect(bad.mask.some((m) => m !== 0)).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'normscope-bmad-'));
    dirs.push(dir);
    await writeBmadLayout(dir, set);

    const list = async (...parts: string[]): Promise<string[]> =>
      (await readdir(join(dir, ...parts))).sort();
    expect(await list('train', 'good', 'img')).toEqual(['00000.png', '00001.png', '00002.png']);
    expect(await list('test', 'good', 'img')).toEqual(['00000.png', '00001.png']);
    expect(await list('test', 'Ungood', 'img')).toEqual(['00000.png', '00001.png']);
    expect(await list('test', 'Ungood', 'label')).toEqual(['00000.png', '00001.png']);
    expect(await list('valid', 'good', 'img')).toEqual(['00000.png']);
    expect(await list('valid', 'Ungood', 'label')).toEqual(['00000.png']);

    const image = decode(await readFile(join(dir, 'test', 'Ungood', 'img', '00001.png')));
    expect([image.width, image.height, image.channels, image.depth]).toEqual([64, 64, 1, 8]);
    expect(Array.from(image.data)).toEqual(Array.from(set.testBad[1]!.image.pixels));
    const label = decode(await readFile(join(dir, 'test', 'Ungood', 'label', '00001.png')));
    expect(new Set(label.data)).toEqual(new Set([0, 255]));
    expect(Array.from(label.data, (v) => (v > 0 ? 1 : 0))).toEqual(
      Array.from(set.testBad[1]!.mask),
    );
  });

  it('draws different subjects for every image and the same set for the same seed', () => {
    const a = generatePhantomBmadSet({ seed: 9, size: 32, trainGood: 2, testGood: 0, testBad: 1 });
    const b = generatePhantomBmadSet({ seed: 9, size: 32, trainGood: 2, testGood: 0, testBad: 1 });
    expect(Array.from(a.trainGood[0]!.pixels)).toEqual(Array.from(b.trainGood[0]!.pixels));
    expect(Array.from(a.trainGood[0]!.pixels)).not.toEqual(Array.from(a.trainGood[1]!.pixels));
    expect(a.valid).toBeUndefined();
  });
});
