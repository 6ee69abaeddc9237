/**
 * De-identification (PS3.15 Annex E basic profile): pseudonyms and UIDs stable
 * within an export and different across exports, dates shifted together; a
 * phantom DICOM object written by dcmjs comes out with no original identifier,
 * marked as de-identified, with a fresh zero preamble, and passes dciodvfy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePhantomStudy } from '../../../src-main/ml/phantom/study';
import { writePhantomDicomSeries } from '../../../src-main/ml/phantom/dicom-writer';
import { createDeidentifier } from '../../../src-main/reports/deidentify';
import {
  deidentifyDataset,
  readPart10,
  writePart10,
} from '../../../src-main/reports/deidentify-dicom';

describe('createDeidentifier', () => {
  it('gives the same pseudonym and UID for the same input within an export, others in another export', () => {
    const a = createDeidentifier();
    const b = createDeidentifier();
    expect(a.pseudonym('patient-name', 'Doe^Jane')).toBe(a.pseudonym('patient-name', 'Doe^Jane'));
    expect(a.pseudonym('patient-name', 'Doe^Jane')).toMatch(/^PATIENT-[0-9A-F]{8}$/);
    expect(a.pseudonym('patient-name', 'Doe^Jane')).not.toBe(
      b.pseudonym('patient-name', 'Doe^Jane'),
    );
    expect(a.pseudonym('patient-name', 'Doe^Jane')).not.toBe(
      a.pseudonym('patient-name', 'Doe^John'),
    );
    const uid = a.uid('1.2.840.113619.2.55.3.1');
    expect(uid).toBe(a.uid('1.2.840.113619.2.55.3.1'));
    expect(uid).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(uid.length).toBeLessThanOrEqual(64);
    expect(b.uid('1.2.840.113619.2.55.3.1')).not.toBe(uid);
  });

  it('shifts every date by the same whole number of days, keeping intervals and times of day', () => {
    const d = createDeidentifier({ shiftDays: -40 });
    expect(d.date('2026-03-15')).toBe('2026-02-03');
    expect(d.dateTime('2026-03-15T10:11:12.345Z')).toBe('2026-02-03T10:11:12.345Z');
    expect(d.dicomDate('20260315')).toBe('20260203');
    const random = createDeidentifier();
    const shift = (Date.parse(random.date('2026-03-15')) - Date.parse('2026-03-15')) / 86_400_000;
    expect(Number.isInteger(shift) && shift <= -1 && shift >= -3650).toBe(true);
    expect(
      (Date.parse(random.date('2026-03-20')) - Date.parse(random.date('2026-03-15'))) / 86_400_000,
    ).toBe(5);
  });
});

describe('de-identified DICOM objects', () => {
  let dir: string;
  let original: Uint8Array;
  const identity = {
    patientName: 'Rossi^Maria',
    patientId: 'PID-99173',
    accessionNumber: 'ACC778812',
    patientBirthDate: '19610203',
    studyDate: '20260114',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'normscope-deid-'));
    const study = generatePhantomStudy({ seed: 3, slices: 1, size: 64, lesions: false });
    const written = await writePhantomDicomSeries(dir, study, { ...identity, patientSex: 'F' });
    original = await readFile(written.files[0]!);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds none of the original identifiers and says how it was de-identified', async () => {
    const source = readPart10(original);
    const d = createDeidentifier();
    const bytes = writePart10(deidentifyDataset(source, d));
    const text = Buffer.from(bytes).toString('latin1');
    for (const value of [
      identity.patientName,
      identity.patientId,
      identity.accessionNumber,
      identity.patientBirthDate,
      identity.studyDate,
      source.StudyInstanceUID as string,
      source.SeriesInstanceUID as string,
      source.SOPInstanceUID as string,
      source.FrameOfReferenceUID as string,
    ]) {
      expect(text).not.toContain(value);
    }

    const back = readPart10(bytes);
    expect(back.PatientIdentityRemoved).toBe('YES');
    expect(back.DeidentificationMethodCodeSequence).toEqual([
      expect.objectContaining({
        CodeValue: '113100',
        CodingSchemeDesignator: 'DCM',
        CodeMeaning: 'Basic Application Confidentiality Profile',
      }),
      expect.objectContaining({ CodeValue: '113107', CodingSchemeDesignator: 'DCM' }),
    ]);
    expect(back.LongitudinalTemporalInformationModified).toBe('MODIFIED');
    expect(back.StudyInstanceUID).toBe(d.uid(source.StudyInstanceUID as string));
    expect(back.StudyDate).toBe(d.dicomDate(identity.studyDate));
    expect(back.PatientBirthDate ?? '').toBe('');
    expect(back.StudyDescription).toBeUndefined();
    // the pixels are the image, untouched
    expect(
      Buffer.from((back.PixelData as ArrayBuffer[])[0]!).equals(
        Buffer.from((source.PixelData as ArrayBuffer[])[0]!),
      ),
    ).toBe(true);
  });

  it('is written with a fresh all-zero preamble, never the source file`s', async () => {
    const marked = Uint8Array.from(original);
    marked.fill(0x41, 0, 128); // a source preamble with content (e.g. a TIFF header in a dual-personality file)
    const bytes = writePart10(deidentifyDataset(readPart10(marked), createDeidentifier()));
    expect(bytes.subarray(0, 128).every((byte) => byte === 0)).toBe(true);
    expect(Buffer.from(bytes.subarray(128, 132)).toString('latin1')).toBe('DICM');
  });

  it('passes dciodvfy without errors for an MR image', async () => {
    const probe = spawnSync('dciodvfy', ['-h'], { encoding: 'utf8' });
    if (probe.error)
      throw new Error('dciodvfy (dicom3tools) is not installed: apt-get install dicom3tools');
    const file = join(dir, 'deidentified.dcm');
    await writeFile(
      file,
      writePart10(deidentifyDataset(readPart10(original), createDeidentifier())),
    );
    const run = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
    const errors = `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((line) => line.startsWith('Error'));
    expect(errors).toEqual([]);
  });
});
