import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../../src-main/dicom/decode';
import { storedValuesSha256 } from '../../../../src-main/dicom/info';
import { parseDicom } from '../../../../src-main/dicom/parse';
import { ensureCorpus } from '../../dicom/corpus/generate';
import type { Corpus } from '../../dicom/corpus/generate';

const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'normscope.mjs');

let corpus: Corpus;
beforeAll(async () => {
  corpus = await ensureCorpus();
}, 120_000);

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NORMSCOPE_FROM_SOURCE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('normscope dicom info', () => {
  it('prints the header summary and per-frame stats and sha256 as JSON, without patient identifiers', async () => {
    const file = join(corpus.dir, 'multiframe.jpegls-lossless.dcm');
    const run = cli(['dicom', 'info', file, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout) as {
      header: Record<string, unknown>;
      frames: Array<Record<string, unknown>>;
    };
    expect(info.header).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.4.80',
      rows: 20,
      columns: 24,
      numberOfFrames: 3,
      bitsAllocated: 16,
      pixelRepresentation: 0,
    });
    expect(info.header).not.toHaveProperty('patientName');
    expect(info.header).not.toHaveProperty('patientId');
    const parsed = parseDicom(readFileSync(file), file);
    const hashes = await Promise.all(
      [0, 1, 2].map(async (f) => storedValuesSha256((await decodeFrame(parsed, f)).data)),
    );
    expect(info.frames.map((f) => f.sha256)).toEqual(hashes);
    expect(info.frames[0]).toMatchObject({ frame: 0, type: 'uint16' });
    expect(info.frames[0]!.min as number).toBeLessThanOrEqual(info.frames[0]!.mean as number);
  });

  it('fails with exit code 1 and the reason for a file that is not DICOM', () => {
    const run = cli(['dicom', 'info', join(ROOT, 'package.json')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/package\.json: not a DICOM file/);
  });
});
