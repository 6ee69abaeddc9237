/**
 * The PDF's table of studies runs over as many pages as it needs, each with
 * the column headings again, every row present once; text the standard fonts
 * cannot draw does not break the PDF; undefined figures say so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber, reportPdf } from '../../../../src-main/reports/writers/pdf';
import { sampleReport } from './sample-report';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'normscope-pdf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pdfText(bytes: Uint8Array, name: string): Promise<string[]> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout.split('\f');
}

describe('reportPdf', () => {
  it('breaks the table of 150 studies over pages, repeating the column headings', async () => {
    const report = sampleReport(150);
    const pages = await pdfText(await reportPdf(report), 'long.pdf');
    const tablePages = pages.filter((page) => /Patient\s+Study date\s+Study UID/.test(page));
    expect(tablePages.length).toBeGreaterThan(3);
    const text = pages.join('\n');
    for (const row of report.model.rows) {
      expect(text.split(row.patientId).length - 1).toBe(1);
    }
    expect(
      pages.filter((p) => p.trim() !== '').every((page) => page.includes(report.contentSha256)),
    ).toBe(true);
    expect(text).toMatch(/Sensitivity\s+undefined \(TP 0 \/ \(TP 0 \+ FN 0\)\)/);
  });

  it('draws names the standard fonts cannot encode with a replacement instead of failing', async () => {
    const report = sampleReport(2, (_row, i) => ({
      patientName: i === 0 ? '山田^太郎' : 'Müller^Zoë',
    }));
    const text = (await pdfText(await reportPdf(report), 'names.pdf')).join('\n');
    expect(text).toContain('??^??');
    expect(text).toContain('Müller^Zoë');
  });

  it('prints scores with four significant digits', () => {
    expect([
      formatNumber(1.23456),
      formatNumber(0.000012345),
      formatNumber(null),
      formatNumber(0),
    ]).toEqual(['1.235', '1.234e-5', '-', '0']);
  });
});
