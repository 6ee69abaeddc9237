/**
 * A data directory a radiologist could open: phantom brain MR studies written
 * as DICOM and imported through the DICOM import pipeline, plus, as a
 * TEMPORARY FAKE of the engine's scoring job (not available to these tests
 * yet), one scoring run whose maps are the lesion ground truth pooled to the
 * 28x28 patch grid with a little noise, written through store.scoring as the
 * job does. Used by the review services' tests and the review e2e test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDicom } from '../../../src-main/dicom/import';
import { encodeFloat16 } from '../../../src-main/ml/float16';
import { writePhantomDicomSeries } from '../../../src-main/ml/phantom/dicom-writer';
import { generatePhantomStudy } from '../../../src-main/ml/phantom/study';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';

export interface FixtureStudy {
  studyUid: string;
  seriesUid: string;
  sopInstanceUids: string[];
  lesions: boolean;
  /** image score per slice, bottom to top */
  imageScores: number[];
}

export interface ReviewFixture {
  modelVersionId: string;
  scoringRunId: string;
  studies: FixtureStudy[];
}

const GRID = 28;

/** Mean of the lesion mask over each patch, scaled, plus seeded noise: a stand-in anomaly map [28, 28]. */
function fakeMap(mask: Uint8Array, size: number, seed: number): Float32Array {
  const map = new Float32Array(GRID * GRID);
  let state = seed >>> 0 || 1;
  const noise = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let gy = 0; gy < GRID; gy++) {
    for (let gx = 0; gx < GRID; gx++) {
      let sum = 0;
      let count = 0;
      for (let y = Math.floor((gy * size) / GRID); y < Math.floor(((gy + 1) * size) / GRID); y++) {
        for (let x = Math.floor((gx * size) / GRID); x < Math.floor(((gx + 1) * size) / GRID); x++) {
          sum += mask[y * size + x]!;
          count++;
        }
      }
      map[gy * GRID + gx] = 0.05 + 0.1 * noise() + (count ? (1.2 * sum) / count : 0);
    }
  }
  return map;
}

/**
 * Writes `normals` lesion-free and `abnormals` lesioned phantom studies
 * (`slices` x `size`^2) into the store of `dataDir`, imports them, and scores
 * them with the fake scoring run. Returns their UIDs and scores.
 */
export async function prepareReviewData(
  dataDir: string,
  options: { normals: number; abnormals: number; slices: number; size: number },
): Promise<ReviewFixture> {
  const dicomDir = await mkdtemp(join(tmpdir(), 'normscope-review-dicom-'));
  const store = openStore({ dataDir });
  try {
    const studies: FixtureStudy[] = [];
    const phantoms = [];
    const total = options.normals + options.abnormals;
    for (let k = 0; k < total; k++) {
      const lesions = k >= options.normals;
      const phantom = generatePhantomStudy({ seed: 100 + k, slices: options.slices, size: options.size, lesions });
      const written = await writePhantomDicomSeries(join(dicomDir, `s${k}`), phantom, {
        patientName: `Phantom^${String.fromCharCode(65 + k)}`,
        patientId: `PH${String(k).padStart(4, '0')}`,
        studyDescription: lesions ? 'MR brain (phantom, lesions)' : 'MR brain (phantom)',
        studyDate: `202501${String(10 + k).padStart(2, '0')}`,
      });
      phantoms.push(phantom);
      studies.push({
        studyUid: written.studyInstanceUid,
        seriesUid: written.seriesInstanceUid,
        sopInstanceUids: written.sopInstanceUids,
        lesions,
        imageScores: [],
      });
    }
    const imported = await importDicom(store, [dicomDir]);
    if (imported.failed > 0) throw new Error(`fixture import failed: ${JSON.stringify(imported.failures)}`);
    const { modelVersionId, scoringRunId } = fakeScoring(store, studies, phantoms);
    return { modelVersionId, scoringRunId, studies };
  } finally {
    store.close();
    await rm(dicomDir, { recursive: true, force: true });
  }
}

function fakeScoring(
  store: Store,
  studies: FixtureStudy[],
  phantoms: ReturnType<typeof generatePhantomStudy>[],
): { modelVersionId: string; scoringRunId: string } {
  const sha = (c: string): string => c.repeat(64);
  const backbone = store.models.addBackbone({
    name: 'stand-in (review fixture)',
    sha256: sha('a'),
    fileSha256: sha('b'),
    standIn: true,
    manifest: { family: 'standin' },
  });
  const model = store.models.addModelVersion({
    name: 'Fixture AR model',
    backboneId: backbone.id,
    arConfig: { mode: 'bidirectional' },
    weightsSha256: sha('c'),
    preprocessingVersion: 'fixture',
    preprocessing: {},
    provenance: { fixture: true },
    createdBy: 'system',
  });
  store.models.activate(model.id);
  const run = store.scoring.startRun({
    modelVersionId: model.id,
    backboneSha256: backbone.sha256,
    onnxruntimeVersion: 'fixture',
    provider: 'cpu',
    threads: 1,
  });
  studies.forEach((study, k) => {
    const phantom = phantoms[k]!;
    const maps = phantom.slices.map((slice, index) => {
      const map = fakeMap(slice.mask, slice.size, 7 * k + index + 1);
      const imageScore = Math.max(...map);
      study.imageScores.push(imageScore);
      return { sopInstanceUid: study.sopInstanceUids[index]!, frame: 0, gridH: GRID, gridW: GRID, map: encodeFloat16(map), imageScore };
    });
    store.scoring.putMaps(run.id, maps);
    store.scoring.putSeriesScore(run.id, study.seriesUid, Math.max(...study.imageScores));
    store.scoring.putStudyScore(run.id, study.studyUid, Math.max(...study.imageScores));
  });
  store.scoring.setState(run.id, 'succeeded');
  return { modelVersionId: model.id, scoringRunId: run.id };
}

/** A fresh data directory under the system temp folder. */
export function freshDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'normscope-review-'));
}
