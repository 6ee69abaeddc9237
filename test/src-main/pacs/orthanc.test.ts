import { execFile, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src-main/api/event-bus';
import { dicomInfo } from '../../../src-main/dicom/info';
import { JobManager } from '../../../src-main/jobs/job-manager';
import { generatePhantomStudy } from '../../../src-main/ml/phantom/study';
import { writePhantomDicomSeries } from '../../../src-main/ml/phantom/dicom-writer';
import { DicomwebSession } from '../../../src-main/pacs/dicomweb-session';
import { readPart10 } from '../../../src-main/reports/deidentify-dicom';
import { prepareReviewData } from '../review/review-fixture';
import { keyFileSecretStore } from '../../../src-main/pacs/secret-store';
import { createPacsService, PacsService } from '../../../src-main/pacs/service';
import { WorkerSupervisor } from '../../../src-main/jobs/supervisor';
import { openStore, type Store } from '../../../src-main/store/store';
import { ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type OrthancServer } from './orthanc';

let orthanc: OrthancServer;
let scratch: string;
/** sha256 of each uploaded instance's stored values, by SOP Instance UID */
const originalHashes = new Map<string, string[]>();
const studies: Array<{ studyUid: string; sopUids: string[] }> = [];

beforeAll(async () => {
  orthanc = await startOrthanc();
  scratch = await mkdtemp(join(tmpdir(), 'normscope-pacs-test-'));
  const patients = [
    {
      patientId: 'PACS-001',
      patientName: 'Doe^Jane',
      studyDate: '20250102',
      accessionNumber: 'ACC1',
    },
    {
      patientId: 'PACS-002',
      patientName: 'Roe^Rick',
      studyDate: '20250310',
      accessionNumber: 'ACC2',
    },
  ];
  for (const [index, patient] of patients.entries()) {
    const study = generatePhantomStudy({
      seed: 40 + index,
      slices: 6,
      size: 64,
      lesions: index === 1,
    });
    const written = await writePhantomDicomSeries(join(scratch, patient.patientId), study, patient);
    for (const [i, file] of written.files.entries()) {
      const bytes = await readFile(file);
      await orthanc.upload(bytes);
      originalHashes.set(
        written.sopInstanceUids[i]!,
        (await dicomInfo(bytes, file)).frames.map((f) => f.sha256),
      );
    }
    studies.push({ studyUid: written.studyInstanceUid, sopUids: written.sopInstanceUids });
  }
}, 40_000);

afterAll(async () => {
  await orthanc?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Harness {
  store: Store;
  jobs: JobManager;
  pacs: PacsService;
  dataDir: string;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'normscope-pacs-data-'));
  const store = openStore({ dataDir });
  const jobs = new JobManager({ events: new EventBus(), persistence: store.jobs });
  const pacs = new PacsService({
    store,
    jobs,
    secrets: keyFileSecretStore(dataDir),
    tuning: { backoffMs: 20, timeoutMs: 10_000 },
  });
  return {
    store,
    jobs,
    pacs,
    dataDir,
    async close() {
      await jobs.shutdown(2_000);
      store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function saveOrthanc(pacs: PacsService, password = ORTHANC_PASSWORD): string {
  return pacs.saveEndpoint({
    name: 'Orthanc',
    baseUrl: orthanc.dicomWebRoot,
    auth: { kind: 'basic', username: ORTHANC_USER, password },
  }).id;
}

function storedCount(store: Store): number {
  return store.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM instances').get()!.n;
}

describe('PACS over DICOMweb against a real Orthanc', () => {
  it('tests a connection: the right credentials connect, wrong ones are refused in words', async () => {
    const h = await harness();
    try {
      const ok = await h.pacs.testConnection({ endpointId: saveOrthanc(h.pacs) });
      expect(ok.ok).toBe(true);
      expect(ok.message).toMatch(/^Connected/);
      const wrong = h.pacs.saveEndpoint({
        name: 'Wrong',
        baseUrl: orthanc.dicomWebRoot,
        auth: { kind: 'basic', username: ORTHANC_USER, password: 'not-the-password' },
      });
      const refused = await h.pacs.testConnection({ endpointId: wrong.id });
      expect(refused).toMatchObject({ ok: false, errorName: 'Refused' });
      expect(refused.message).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(refused.message).not.toContain('not-the-password');
    } finally {
      await h.close();
    }
  });

  it('queries studies by patient ID, name, date range, modality and accession', async () => {
    const h = await harness();
    try {
      const target = { endpointId: saveOrthanc(h.pacs) };
      const all = await h.pacs.query(target, {});
      expect(all.map((s) => s.studyUid).sort()).toEqual(studies.map((s) => s.studyUid).sort());
      const byId = await h.pacs.query(target, { patientId: 'PACS-002' });
      expect(byId).toHaveLength(1);
      expect(byId[0]).toMatchObject({
        studyUid: studies[1]!.studyUid,
        patientName: 'Roe^Rick',
        modalities: ['MR'],
        localInstances: 0,
      });
      expect(byId[0]!.instanceCount).toBe(6);
      expect((await h.pacs.query(target, { patientName: 'Doe' })).map((s) => s.studyUid)).toEqual([
        studies[0]!.studyUid,
      ]);
      expect((await h.pacs.query(target, { dateFrom: '20250301' })).map((s) => s.studyUid)).toEqual(
        [studies[1]!.studyUid],
      );
      expect(
        (await h.pacs.query(target, { dateFrom: '20250101', dateTo: '20250201' })).map(
          (s) => s.studyUid,
        ),
      ).toEqual([studies[0]!.studyUid]);
      expect(await h.pacs.query(target, { modality: 'CT' })).toEqual([]);
      expect(
        (await h.pacs.query(target, { accessionNumber: 'ACC1' })).map((s) => s.studyUid),
      ).toEqual([studies[0]!.studyUid]);
    } finally {
      await h.close();
    }
  });

  it('retrieves studies with the same pixels; a cancelled retrieval resumes without duplicates', async () => {
    const h = await harness();
    try {
      const target = { endpointId: saveOrthanc(h.pacs) };
      const uids = studies.map((s) => s.studyUid);
      // cancel once three instances are in: the next run must fetch only the rest
      const first = h.pacs.startRetrieve(target, uids);
      const firstOutcome = first.result.then(
        () => 'finished',
        (err: Error) => err.name,
      );
      while (storedCount(h.store) < 3 && ['queued', 'running'].includes(h.jobs.get(first.id).state))
        await new Promise((r) => setTimeout(r, 5));
      h.jobs.cancel(first.id);
      expect(await firstOutcome).toBe('Cancelled');
      const afterCancel = storedCount(h.store);
      expect(afterCancel).toBeGreaterThanOrEqual(3);
      expect(afterCancel).toBeLessThan(12);

      const second = await h.pacs.startRetrieve(target, uids).result;
      expect(storedCount(h.store)).toBe(12);
      const skipped = second.studies.reduce((n, s) => n + s.skipped, 0);
      const retrieved = second.studies.reduce((n, s) => n + s.retrieved, 0);
      expect(skipped).toBe(afterCancel);
      expect(retrieved).toBe(12 - afterCancel);
      expect(second.studies.every((s) => s.complete && s.failed.length === 0)).toBe(true);
      expect(second.scoring).toBeNull();

      for (const study of studies) {
        const detail = h.store.studies.getStudy(study.studyUid)!;
        const instances = detail.series.flatMap((s) => s.instances);
        expect(instances.map((i) => i.sopInstanceUid).sort()).toEqual([...study.sopUids].sort());
        for (const instance of instances) {
          // retrieved files are always copied into the content store
          expect(instance.fileSha256).not.toBeNull();
          const bytes = await h.store.files.read(instance.fileSha256!);
          const hashes = (await dicomInfo(bytes, instance.sopInstanceUid)).frames.map(
            (f) => f.sha256,
          );
          expect(hashes).toEqual(originalHashes.get(instance.sopInstanceUid));
        }
      }
      const audited = h.store.db
        .prepare<[], { n: number }>(
          "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'pacs.retrieve'",
        )
        .get()!.n;
      expect(audited).toBeGreaterThanOrEqual(3);
    } finally {
      await h.close();
    }
  });

  it('says why a retrieval was not auto-scored when no model is active', async () => {
    const h = await harness();
    // wired to the engine as the app is: with no active model, scoring refuses before any worker starts
    const workers = new WorkerSupervisor({});
    const pacs = createPacsService({
      store: h.store,
      jobs: h.jobs,
      workers,
      events: new EventBus(),
      secrets: keyFileSecretStore(h.dataDir),
    });
    try {
      pacs.updateOptions({ autoScore: true });
      const summary = await pacs.startRetrieve({ endpointId: saveOrthanc(pacs) }, [
        studies[0]!.studyUid,
      ]).result;
      expect(summary.scoring).toBe(
        'not scored: no model is active: train one or activate a model version before scoring',
      );
      expect(h.jobs.list().find((j) => j.kind === 'retrieve')!.message).toMatch(
        /no model is active/,
      );
    } finally {
      await workers.dispose();
      await h.close();
    }
  });

  it('works from the command line: query and retrieve as JSON, wrong password exits 1 with the reason', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'normscope-pacs-cli-'));
    const cli = (args: string[], password: string) =>
      promisify(execFile)(process.execPath, [resolve('bin/normscope.mjs'), ...args], {
        env: { ...process.env, NORMSCOPE_FROM_SOURCE: '1', PACS_PW: password },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    const auth = [
      '--url',
      orthanc.dicomWebRoot,
      '--user',
      ORTHANC_USER,
      '--password-env',
      'PACS_PW',
    ];
    try {
      const [query, wrong] = await Promise.all([
        cli(
          ['pacs', 'query', ...auth, '--patient-id', 'PACS-001', '--data-dir', dataDir, '--json'],
          ORTHANC_PASSWORD,
        ),
        cli(['pacs', 'test', ...auth, '--data-dir', dataDir], 'wrong-pw'),
      ]);
      expect(query.code, query.stderr).toBe(0);
      const { studies: found } = JSON.parse(query.stdout) as {
        studies: Array<{ studyUid: string }>;
      };
      expect(found.map((s) => s.studyUid)).toEqual([studies[0]!.studyUid]);
      expect(wrong.code, wrong.stderr).toBe(1);
      expect(wrong.stdout).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(wrong.stdout + wrong.stderr).not.toContain('wrong-pw');

      const retrieve = await cli(
        [
          'pacs',
          'retrieve',
          ...auth,
          '--study',
          studies[0]!.studyUid,
          '--data-dir',
          dataDir,
          '--json',
        ],
        ORTHANC_PASSWORD,
      );
      expect(retrieve.code, retrieve.stderr).toBe(0);
      const summary = JSON.parse(retrieve.stdout) as {
        studies: Array<{ retrieved: number; complete: boolean }>;
      };
      expect(summary.studies).toEqual([expect.objectContaining({ retrieved: 6, complete: true })]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('sends scores (SR), the anomaly map (Parametric Map) and region (SEG) back; dciodvfy accepts them; read back; off by default; audited', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'normscope-pacs-push-'));
    const fixture = await prepareReviewData(dataDir, {
      normals: 0,
      abnormals: 1,
      slices: 4,
      size: 64,
    });
    const store = openStore({ dataDir });
    const jobs = new JobManager({ events: new EventBus(), persistence: store.jobs });
    const pacs = new PacsService({ store, jobs, secrets: keyFileSecretStore(dataDir) });
    const studyUid = fixture.studies[0]!.studyUid;
    const session = new DicomwebSession({
      baseUrl: orthanc.dicomWebRoot,
      auth: { kind: 'basic', username: ORTHANC_USER, password: ORTHANC_PASSWORD },
    });
    try {
      store.thresholds.append({
        modelVersionId: fixture.modelVersionId,
        pixelThreshold: 0.6,
        imageThreshold: 0.8,
        method: { kind: 'test' },
        createdBy: 'test',
      });
      const target = { endpointId: saveOrthanc(pacs) };
      await expect(pacs.pushResults(target, studyUid, { deidentify: false })).rejects.toThrow(
        /sending results to a PACS is off/,
      );
      pacs.updateOptions({ pushResults: true });

      const plain = await pacs.pushResults(target, studyUid, { deidentify: false });
      const anonymous = await pacs.pushResults(target, studyUid, { deidentify: true });
      expect(plain.studyInstanceUid).toBe(studyUid);
      expect(anonymous.studyInstanceUid).not.toBe(studyUid);
      expect(plain.objects.map((o) => o.kind)).toEqual(['sr', 'pmap', 'seg']);

      for (const sent of [plain, anonymous]) {
        for (const object of sent.objects) {
          const bytes = await session.retrieveInstance({
            studyInstanceUID: sent.studyInstanceUid,
            seriesInstanceUID: object.seriesInstanceUid,
            sopInstanceUID: object.sopInstanceUid,
          });
          const file = join(dataDir, `${object.sopInstanceUid}.dcm`);
          await writeFile(file, bytes);
          const verdict = await promisify(execFile)('dciodvfy', [file]).then(
            (r) => r.stdout + r.stderr,
            (err: { stdout: string; stderr: string }) => err.stdout + err.stderr,
          );
          expect(verdict).toMatch(
            { sr: /ComprehensiveSR/, pmap: /ParametricMap/, seg: /Segmentation/ }[object.kind],
          );
          expect(verdict.split('\n').filter((line) => line.startsWith('Error'))).toEqual([]);
          const back = readPart10(bytes);
          expect(back.StudyInstanceUID).toBe(sent.studyInstanceUid);
          if (sent.deidentified) {
            expect(back.PatientIdentityRemoved).toBe('YES');
            expect(JSON.stringify(back)).not.toContain('Phantom^');
          }
          if (object.kind === 'sr') {
            const items = back.ContentSequence as Array<Record<string, unknown>>;
            const meanings = items.map(
              (i) => (i.ConceptNameCodeSequence as Array<{ CodeMeaning: string }>)[0]!.CodeMeaning,
            );
            expect(meanings).toEqual(
              expect.arrayContaining([
                'Study anomaly score',
                'Image score threshold',
                'Algorithm Version',
              ]),
            );
          } else if (object.kind === 'pmap') {
            expect(back.NumberOfFrames).toBe(4);
            const values = new Float32Array((back.FloatPixelData as ArrayBuffer[])[0]!);
            expect(values.length).toBe(4 * 64 * 64);
            // bilinear upsampling stays within the grid's range: its maximum is at most the best image score
            const highest = values.reduce((m, v) => Math.max(m, v), -Infinity);
            expect(highest).toBeGreaterThan(0.6);
            expect(highest).toBeLessThanOrEqual(
              Math.max(...fixture.studies[0]!.imageScores) + 1e-3,
            );
          } else {
            expect(back.NumberOfFrames).toBe(4);
            const bits = new Uint8Array((back.PixelData as ArrayBuffer[])[0]!);
            const set = bits.reduce(
              (n, byte) => n + byte.toString(2).replaceAll('0', '').length,
              0,
            );
            // the lesions, not nothing and not everything
            expect(set).toBeGreaterThan(0);
            expect(set).toBeLessThan(4 * 64 * 64 * 0.5);
          }
        }
      }
      const pushes = store.db
        .prepare<[], { n: number }>(
          "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'pacs.push'",
        )
        .get()!.n;
      expect(pushes).toBe(2);
    } finally {
      await jobs.shutdown(1_000);
      store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a retrieval killed with SIGKILL resumes on the next run and ends without duplicates', async () => {
    const slices = 40;
    const written = await writePhantomDicomSeries(
      join(scratch, 'kill'),
      generatePhantomStudy({ seed: 77, slices, size: 64, lesions: false }),
      { patientId: 'PACS-KILL', patientName: 'Kill^Me' },
    );
    await Promise.all(written.files.map(async (file) => orthanc.upload(await readFile(file))));
    const dataDir = await mkdtemp(join(tmpdir(), 'normscope-pacs-kill-'));
    const args = [
      resolve('bin/normscope.mjs'),
      'pacs',
      'retrieve',
      '--url',
      orthanc.dicomWebRoot,
      '--user',
      ORTHANC_USER,
      '--password-env',
      'PACS_PW',
      '--study',
      written.studyInstanceUid,
      '--data-dir',
      dataDir,
    ];
    const env = { ...process.env, NORMSCOPE_FROM_SOURCE: '1', PACS_PW: ORTHANC_PASSWORD };
    const countIn = (): number => {
      try {
        const db = new Database(join(dataDir, 'normscope.sqlite'), {
          readonly: true,
          fileMustExist: true,
        });
        try {
          return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM instances').get()!.n;
        } finally {
          db.close();
        }
      } catch {
        return 0; // not created yet
      }
    };
    try {
      const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', r));
      while (countIn() < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGKILL');
      await exited;
      const atKill = countIn();
      expect(atKill).toBeGreaterThanOrEqual(3);
      expect(atKill).toBeLessThan(slices);

      const rerun = await promisify(execFile)(process.execPath, [...args, '--json'], { env });
      const summary = JSON.parse(rerun.stdout) as {
        studies: Array<{ retrieved: number; skipped: number; complete: boolean }>;
      };
      expect(summary.studies).toEqual([
        expect.objectContaining({ skipped: atKill, retrieved: slices - atKill, complete: true }),
      ]);
      expect(countIn()).toBe(slices);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
