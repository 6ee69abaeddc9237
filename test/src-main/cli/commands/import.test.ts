import { execFileSync, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../../../src-main/cli/commands/import';
import { openStore } from '../../../../src-main/store';
import { removeTempDirs, tempDir, writeSeries } from '../../imports/fixtures/phantom-files';

const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'normscope.mjs');

const dirs: string[] = [];
afterAll(() => removeTempDirs(dirs));

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NORMSCOPE_FROM_SOURCE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolveRun({ status, stdout, stderr }));
  });
}

describe('normscope import', () => {
  it('imports a folder, a zip and a DICOMDIR in one run and prints a JSON summary that lists the corrupt file', async () => {
    const work = await tempDir(dirs);
    const dataDir = await tempDir(dirs);
    const folder = join(work, 'folder');
    const plain = await writeSeries(folder, 'P-FOLDER', 3);
    await writeFile(
      join(folder, 'corrupt.dcm'),
      Buffer.concat([
        Buffer.alloc(128),
        Buffer.from('DICM'),
        Buffer.from([2, 0, 0x10, 0, 0x55, 0x49, 0xff, 0xff]),
      ]),
    );

    const zipped = await writeSeries(join(work, 'to-zip'), 'P-ZIP', 2);
    const entries: Record<string, Uint8Array> = {};
    for (const [i, path] of zipped.files.entries())
      entries[`study/IM${i}.dcm`] = await readFile(path);
    const zipPath = join(work, 'study.zip');
    await writeFile(zipPath, zipSync(entries));

    // a CD-style layout: ISO 9660 names, indexed by dcmtk's dcmmkdir
    const media = join(work, 'media');
    const indexed = await writeSeries(join(work, 'to-index'), 'P-DICOMDIR', 2);
    await mkdir(join(media, 'DICOM'), { recursive: true });
    for (const [i, path] of indexed.files.entries())
      await copyFile(path, join(media, 'DICOM', `IM${String(i).padStart(6, '0')}`));
    execFileSync('dcmmkdir', ['--recurse', '--invent', '+D', 'DICOMDIR', 'DICOM'], { cwd: media });

    const run = await cli([
      'import',
      folder,
      zipPath,
      join(media, 'DICOMDIR'),
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as ImportSummary;
    expect(summary).toMatchObject({
      state: 'succeeded',
      imported: 7,
      alreadyPresent: 0,
      failed: 1,
      filesTotal: 8,
    });
    expect(summary.failures).toEqual([
      { path: join(folder, 'corrupt.dcm'), reason: expect.stringContaining('corrupt.dcm') },
    ]);

    const store = openStore({ dataDir });
    try {
      expect(
        store.studies
          .listWorklist()
          .map((s) => s.studyUid)
          .sort(),
      ).toEqual([plain.studyInstanceUid, zipped.studyInstanceUid, indexed.studyInstanceUid].sort());
    } finally {
      store.close();
    }
  }, 60_000);

  it('exits 1 when files failed and nothing could be imported, with the reasons on stdout', async () => {
    const work = await tempDir(dirs);
    const dataDir = await tempDir(dirs);
    await writeFile(join(work, 'a.dcm'), 'not dicom at all');
    const run = await cli(['import', work, '--data-dir', dataDir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Imported 0 instances, 1 failed');
    expect(run.stdout).toContain(`${join(work, 'a.dcm')}: not a DICOM file`);
  }, 60_000);
});
