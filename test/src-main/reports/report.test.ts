/**
 * A report over a data directory with studies, scores, thresholds and
 * verdicts. The studies are phantom MR series imported through the DICOM
 * import; their scoring run stands in for what the engine's scoring job
 * writes (the review fixture's fake scores, written through store.scoring);
 * thresholds and verdicts are recorded with the review code itself. The PDF
 * renders (pdftoppm) and its text (pdftotext) holds the rows and figures;
 * CSV and JSON parse and agree with the database; a de-identified export
 * holds none of the original identifiers; files are written atomically and
 * never replaced without --force; an export the audit trail cannot record
 * leaves no file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src-main/cli/program';
import { WorkerSupervisor } from '../../../src-main/jobs/supervisor';
import { buildReport } from '../../../src-main/reports/build';
import { exportReport } from '../../../src-main/reports/export';
import type { BuiltReport } from '../../../src-main/reports/model';
import { workerDecoder } from '../../../src-main/reports/service';
import { saveThreshold } from '../../../src-main/review/thresholds';
import { recordVerdict } from '../../../src-main/review/verdicts';
import { canonicalJson } from '../../../src-main/store/canonical-json';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';
import { freshDataDir, prepareReviewData } from '../review/review-fixture';
import type { ReviewFixture } from '../review/review-fixture';

let dataDir: string;
let outDir: string;
let fixture: ReviewFixture;
let store: Store;
let workers: WorkerSupervisor;
let report: BuiltReport;
const today = new Date().toISOString().slice(0, 10);
const request = { from: today, to: today };

beforeAll(async () => {
  dataDir = await freshDataDir();
  outDir = await mkdtemp(join(tmpdir(), 'normscope-report-out-'));
  // studies 0, 1 without lesions, 2, 3 with
  fixture = await prepareReviewData(dataDir, { normals: 2, abnormals: 2, slices: 3, size: 64 });
  store = openStore({ dataDir });
  const ada = store.reviewers.create('Ada Lovelace');
  const grace = store.reviewers.create('Grace Hopper');
  saveThreshold(store, {
    modelVersionId: fixture.modelVersionId,
    reviewerId: ada.id,
    pixelThreshold: 0.5,
    imageThreshold: 0.5,
    method: { kind: 'test' },
  });
  const [normal0, normal1, abnormal0, abnormal1] = fixture.studies.map((s) => s.studyUid);
  const verdict = (
    studyUid: string,
    reviewerId: string,
    value: 'normal' | 'abnormal' | 'uncertain',
  ) =>
    recordVerdict(store, {
      studyUid: studyUid!,
      reviewerId,
      verdict: value,
      comment: 'seen by Dr Lovelace',
      regionMarks: [],
    });
  verdict(normal0!, grace.id, 'uncertain');
  verdict(normal0!, ada.id, 'normal'); // supersedes: agree (TN)
  verdict(normal1!, grace.id, 'abnormal'); // not flagged: disagree (FN)
  verdict(abnormal0!, ada.id, 'abnormal'); // flagged: agree (TP)
  verdict(abnormal1!, ada.id, 'normal'); // flagged: disagree (FP)
  workers = new WorkerSupervisor({ maxWorkers: 1 });
  report = await buildReport(store, request, {
    decode: workerDecoder(workers),
    normscopeVersion: 'test',
  });
}, 120_000);

afterAll(async () => {
  await workers?.dispose();
  store?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

function pdftotext(file: string): string {
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  if (run.error) throw new Error('pdftotext (poppler-utils) is not installed');
  expect(run.status).toBe(0);
  return run.stdout;
}

/** RFC 4180 records (the writer's dialect: quotes only where needed). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  return records;
}

describe('buildReport', () => {
  it('has one row per study with its score, flag, verdicts and agreement', () => {
    const byUid = new Map(report.model.rows.map((row) => [row.studyUid, row]));
    const [normal0, normal1, abnormal0, abnormal1] = fixture.studies;
    expect(report.model.rows).toHaveLength(4);
    expect(byUid.get(normal0!.studyUid)).toMatchObject({
      patientName: 'Phantom^A',
      patientId: 'PH0000',
      flagged: false,
      agreement: 'agree',
      imageThreshold: 0.5,
      verdicts: [
        { verdict: 'uncertain', reviewer: 'Grace Hopper' },
        { verdict: 'normal', reviewer: 'Ada Lovelace' },
      ],
    });
    expect(byUid.get(normal1!.studyUid)).toMatchObject({ flagged: false, agreement: 'disagree' });
    expect(byUid.get(abnormal0!.studyUid)).toMatchObject({ flagged: true, agreement: 'agree' });
    expect(byUid.get(abnormal1!.studyUid)).toMatchObject({ flagged: true, agreement: 'disagree' });
    for (const study of fixture.studies) {
      expect(byUid.get(study.studyUid)?.score).toBe(
        store.studies.listWorklist().find((w) => w.studyUid === study.studyUid)?.score?.value,
      );
    }
  });

  it('counts the agreement of flags with verdicts', () => {
    expect(report.model.agreement).toEqual({
      truePositives: 1,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
      sensitivity: 0.5,
      specificity: 0.5,
      agreementRate: 0.5,
      compared: 4,
      uncertain: 0,
      unreviewed: 0,
      unscored: 0,
      noThreshold: 0,
    });
  });

  it('renders a key image of the most anomalous slice for each flagged or disagreed study', () => {
    const [, normal1, abnormal0, abnormal1] = fixture.studies;
    expect(report.model.keyImageProblems).toEqual([]);
    expect(report.model.keyImages.map((k) => k.studyUid).sort()).toEqual(
      [normal1!.studyUid, abnormal0!.studyUid, abnormal1!.studyUid].sort(),
    );
    for (const key of report.model.keyImages) {
      const study = fixture.studies.find((s) => s.studyUid === key.studyUid)!;
      const best = study.imageScores.indexOf(Math.max(...study.imageScores));
      expect(key.sopInstanceUid).toBe(study.sopInstanceUids[best]);
      expect([key.width, key.height]).toEqual([64, 64]);
      const png = report.images.get(key.pngSha256)!;
      expect(createHash('sha256').update(png).digest('hex')).toBe(key.pngSha256);
    }
    // the lesioned study's overlay is there: some pixels are coloured (inferno is never grey above the threshold)
    expect(
      report.model.keyImages.find((k) => k.studyUid === abnormal0!.studyUid)?.overlay.threshold,
    ).toBe(0.5);
  });

  it('names the scope: reviewers, model with backbone sha256, threshold, and the audit chain verified', () => {
    expect(report.model.scope.reviewers).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(report.model.scope.modelVersions).toEqual([
      expect.objectContaining({
        id: fixture.modelVersionId,
        backbone: { name: 'stand-in (review fixture)', sha256: 'a'.repeat(64), standIn: true },
        thresholds: [
          expect.objectContaining({
            imageThreshold: 0.5,
            pixelThreshold: 0.5,
            createdBy: 'Ada Lovelace',
          }),
        ],
      }),
    ]);
    expect(report.model.audit).toMatchObject({
      ok: true,
      summary: expect.stringMatching(/^Audit chain verified/),
    });
  });

  it('filters by reviewer and refuses unknown reviewers and impossible dates', async () => {
    const graceOnly = await buildReport(
      store,
      { ...request, reviewer: 'Grace Hopper' },
      { normscopeVersion: 'test' },
    );
    expect(graceOnly.model.rows.map((r) => r.patientId).sort()).toEqual(['PH0000', 'PH0001']);
    expect(
      graceOnly.model.rows.every((r) => r.verdicts.every((v) => v.reviewer === 'Grace Hopper')),
    ).toBe(true);
    await expect(
      buildReport(store, { ...request, reviewer: 'Nobody' }, { normscopeVersion: 'test' }),
    ).rejects.toThrow(/no reviewer is named "Nobody"/);
    await expect(
      buildReport(store, { from: '2026-02-30', to: today }, { normscopeVersion: 'test' }),
    ).rejects.toThrow(/not a date/);
    await expect(
      buildReport(store, { from: today, to: '2020-01-01' }, { normscopeVersion: 'test' }),
    ).rejects.toThrow(/ends .* before it starts/);
  });
});

describe('exported report', () => {
  it('writes a PDF that renders and whose text holds the rows, figures, audit result and hash', async () => {
    const pdf = join(outDir, 'report.pdf');
    const csv = join(outDir, 'report.csv');
    const json = join(outDir, 'report.json');
    const files = await exportReport(
      store,
      report,
      { pdf, csv, json },
      { overwrite: false, actor: 'Ada Lovelace' },
    );
    expect(files.map((f) => f.kind)).toEqual(['pdf', 'csv', 'json']);

    const text = pdftotext(pdf);
    for (const study of ['Phantom^A', 'Phantom^B', 'Phantom^C', 'Phantom^D', 'PH0000', 'PH0003'])
      expect(text).toContain(study);
    expect(text).toMatch(/Sensitivity\s+50\.0 % \(TP 1 \/ \(TP 1 \+ FN 1\)\)/);
    expect(text).toMatch(/Specificity\s+50\.0 % \(TN 1 \/ \(TN 1 \+ FP 1\)\)/);
    expect(text).toContain('TP 1');
    expect(text).toMatch(/Audit chain verified/);
    expect(text).toContain(report.contentSha256);
    expect(text).toContain('a'.repeat(64)); // backbone sha256
    expect(text).toContain('not for clinical use');

    const pages = join(outDir, 'page');
    const render = spawnSync('pdftoppm', ['-r', '60', '-png', pdf, pages], { encoding: 'utf8' });
    expect(render.status).toBe(0);
    const pngs = (await readdir(outDir)).filter(
      (name) => name.startsWith('page') && name.endsWith('.png'),
    );
    expect(pngs.length).toBeGreaterThanOrEqual(4);
    if (process.env.NORMSCOPE_KEEP_REPORT) {
      await writeFile(join(process.env.NORMSCOPE_KEEP_REPORT, 'report.pdf'), await readFile(pdf));
    }
  });

  it('writes CSV and JSON that parse and agree with the database, each carrying the content hash', async () => {
    const records = parseCsv(await readFile(join(outDir, 'report.csv'), 'utf8'));
    const [header, ...rows] = records;
    expect(header?.slice(0, 3)).toEqual(['report_content_sha256', 'patient_name', 'patient_id']);
    expect(rows).toHaveLength(4);
    const col = (name: string) => header!.indexOf(name);
    for (const row of rows) {
      expect(row[col('report_content_sha256')]).toBe(report.contentSha256);
      const worklist = store.studies
        .listWorklist()
        .find((w) => w.studyUid === row[col('study_uid')])!;
      expect(Number(row[col('study_score')])).toBe(worklist.score!.value);
      expect(row[col('verdict')]).toBe(worklist.verdict!.value);
      expect(row[col('patient_id')]).toBe(worklist.patientId);
    }

    const parsed = JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const { contentSha256, ...model } = parsed;
    expect(contentSha256).toBe(report.contentSha256);
    expect(createHash('sha256').update(canonicalJson(model)).digest('hex')).toBe(contentSha256);
    expect((model.rows as unknown[]).length).toBe(4);
  });

  it('records the export in the audit trail with the files and their hashes', () => {
    const entry = store.audit.list().at(-1)!;
    expect(entry).toMatchObject({
      actor: 'Ada Lovelace',
      action: 'export',
      objectIds: { reportContentSha256: report.contentSha256 },
      details: { kind: 'audit-report', studies: 4, deidentified: false },
    });
    expect((entry.details.files as Array<{ path: string }>).map((f) => f.path)).toEqual(
      ['report.pdf', 'report.csv', 'report.json'].map((name) => join(outDir, name)),
    );
  });

  it('never replaces an existing file without being told to, and leaves no temporary file', async () => {
    const pdf = join(outDir, 'report.pdf');
    const before = await readFile(pdf);
    await expect(
      exportReport(store, report, { pdf }, { overwrite: false, actor: 'system' }),
    ).rejects.toMatchObject({
      name: 'Conflict',
      details: { existing: [pdf] },
    });
    expect((await readFile(pdf)).equals(before)).toBe(true);
    await exportReport(store, report, { pdf }, { overwrite: true, actor: 'system' });
    expect((await readdir(outDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nothing when the audit trail cannot record the export', async () => {
    const pdf = join(outDir, 'refused.pdf');
    store.db.exec(
      "CREATE TEMP TRIGGER export_audit_fails BEFORE INSERT ON main.audit_log BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
    );
    try {
      await expect(
        exportReport(store, report, { pdf }, { overwrite: false, actor: 'system' }),
      ).rejects.toMatchObject({ name: 'Refused' });
    } finally {
      store.db.exec('DROP TRIGGER temp.export_audit_fails');
    }
    expect(
      (await readdir(outDir)).filter((name) => name.startsWith('refused') || name.endsWith('.tmp')),
    ).toEqual([]);
  });
});

describe('de-identified report', () => {
  it('holds none of the original names, IDs, UIDs or dates in PDF, CSV or JSON', async () => {
    const built = await buildReport(
      store,
      { ...request, deidentify: true },
      { decode: workerDecoder(workers), normscopeVersion: 'test' },
    );
    const pdf = join(outDir, 'deid.pdf');
    const csv = join(outDir, 'deid.csv');
    const json = join(outDir, 'deid.json');
    await exportReport(store, built, { pdf, csv, json }, { overwrite: false, actor: 'system' });
    const outputs = [pdftotext(pdf), await readFile(csv, 'utf8'), await readFile(json, 'utf8')];
    const originals = [
      'Phantom',
      'PH000',
      'Ada',
      'Lovelace',
      'Grace',
      'Hopper',
      today,
      ...fixture.studies.flatMap((s) => [s.studyUid, s.seriesUid, ...s.sopInstanceUids]),
      ...fixture.studies.map((_, k) => `2025-01-${10 + k}`),
      'MR brain',
    ];
    for (const output of outputs) {
      for (const original of originals) expect(output).not.toContain(original);
    }
    expect(built.model.rows[0]?.patientName).toMatch(/^PATIENT-[0-9A-F]{8}$/);
    expect(built.model.scope.deidentification).toMatch(/PS3\.15 Annex E/);
    expect(built.model.keyImages).toHaveLength(3);
    expect(built.model.agreement).toEqual(report.model.agreement);
  });
});

describe('normscope report', () => {
  it('writes the report, prints the content hash, and refuses to overwrite without --force', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const out = join(outDir, 'cli.pdf');
    const args = [
      'report',
      '--from',
      today,
      '--to',
      today,
      '--out',
      out,
      '--csv',
      join(outDir, 'cli.csv'),
      '--data-dir',
      dataDir,
    ];
    store.close();
    try {
      expect(await runCli(args)).toBe(0);
      expect(lines.join('\n')).toMatch(/content sha256 [0-9a-f]{64}/);
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await runCli(args)).toBe(1);
      expect(await runCli([...args, '--force'])).toBe(0);
    } finally {
      process.exitCode = undefined;
      vi.restoreAllMocks();
      store = openStore({ dataDir });
    }
  });
});
