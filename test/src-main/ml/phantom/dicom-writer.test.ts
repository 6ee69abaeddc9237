import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSet } from 'dicom-parser';
import { uidFromName, writePhantomDicomSeries } from '../../../../src-main/ml/phantom/dicom-writer';
import type { WrittenSeries } from '../../../../src-main/ml/phantom/dicom-writer';
import { generatePhantomStudy } from '../../../../src-main/ml/phantom/study';

const dicomParser = createRequire(import.meta.url)('dicom-parser') as {
  parseDicom(bytes: Uint8Array): DataSet;
};

describe('writePhantomDicomSeries', () => {
  const study = generatePhantomStudy({ seed: 5, slices: 3, size: 64, lesions: true });
  let dir: string;
  let written: WrittenSeries;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'normscope-phantom-dicom-'));
    written = await writePhantomDicomSeries(dir, study, {
      patientName: 'Phantom^Zoë',
      patientId: 'PHANTOM-5',
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per slice with distinct, valid 2.25 UIDs that are stable across runs', async () => {
    expect(written.files).toHaveLength(3);
    expect(new Set(written.sopInstanceUids).size).toBe(3);
    for (const uid of [
      written.studyInstanceUid,
      written.seriesInstanceUid,
      ...written.sopInstanceUids,
    ]) {
      expect(uid).toMatch(/^2\.25\.[1-9][0-9]*$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
    const again = await writePhantomDicomSeries(join(dir, 'again'), study, {
      patientName: 'Phantom^Zoë',
      patientId: 'PHANTOM-5',
    });
    expect(again.sopInstanceUids).toEqual(written.sopInstanceUids);
    expect(uidFromName('a')).not.toBe(uidFromName('b'));
  });

  it('stores the slice pixels and geometry so that a DICOM parser reads them back', async () => {
    for (const [index, file] of written.files.entries()) {
      const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)));
      expect(dataSet.string('x00020010')).toBe('1.2.840.10008.1.2.1');
      expect(dataSet.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.4');
      expect(dataSet.uint16('x00280010')).toBe(64);
      expect(dataSet.uint16('x00280101')).toBe(12);
      expect(dataSet.string('x00200013')).toBe(String(index + 1));
      expect(dataSet.string('x00200037')).toBe('1\\0\\0\\0\\1\\0');
      expect(Number(dataSet.string('x00200032')!.split('\\')[2])).toBeCloseTo(
        -60 + (index + 0.5) * 40,
        4,
      );
      const element = dataSet.elements['x7fe00010']!;
      const pixels = new Uint16Array(
        dataSet.byteArray.slice(element.dataOffset, element.dataOffset + element.length).buffer,
      );
      expect(Array.from(pixels)).toEqual(Array.from(study.slices[index]!.pixels));
    }
  });

  it('passes dcmdump and dciodvfy (dicom3tools) without errors or warnings', () => {
    const dump = execFileSync('dcmdump', [written.files[1]!], { encoding: 'utf8' });
    expect(dump).toContain('=MRImageStorage');
    expect(dump).toContain('[MONOCHROME2]');
    const check = spawnSync('dciodvfy', [written.files[1]!], { encoding: 'utf8' });
    const report = `${check.stdout}${check.stderr}`;
    expect(check.error, 'dciodvfy (Debian package dicom3tools) must be installed').toBeUndefined();
    expect(report).toContain('MRImage');
    expect(report).not.toMatch(/Error|Warning/);
    expect(check.status).toBe(0);
  });
});
