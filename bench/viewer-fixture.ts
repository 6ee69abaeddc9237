/**
 * The viewer benchmark's data directory: synthetic 512x512 16-bit CT series
 * (synthetic-ct.ts) imported through the product's DICOM import; each series gets anomaly maps written through
 * store.scoring as the scoring job writes them. The maps are SYNTHETIC (a
 * smooth blob per slice, not the engine's output): the viewer's cost to show
 * an overlay does not depend on where the map came from. A reviewer is
 * created so the page can start a reading session without the name dialog.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reviewer } from '../src-main/api/contract';
import { importDicom } from '../src-main/dicom/import';
import { encodeFloat16 } from '../src-main/ml/float16';
import { openStore } from '../src-main/store/store';
import { writeSyntheticCt } from './synthetic-ct';
import type { SyntheticCtSeries } from './synthetic-ct';

const GRID = 28;

export interface ViewerSeriesSpec {
  /** distinguishes the series' UIDs and names */
  name: string;
  slices: number;
  size: number;
}

export interface ViewerSeries extends ViewerSeriesSpec {
  studyUid: string;
  seriesUid: string;
}

export interface ViewerFixture {
  reviewer: Reviewer;
  series: ViewerSeries[];
}

/** A 28x28 map: low background and a Gaussian blob that wanders with z; values 0..~1. */
function syntheticMap(z: number, slices: number): Float32Array {
  const map = new Float32Array(GRID * GRID);
  const cx = 8 + (12 * z) / slices;
  const cy = 14 + 4 * Math.sin(z / 9);
  for (let gy = 0; gy < GRID; gy++) {
    for (let gx = 0; gx < GRID; gx++) {
      const d2 = (gx - cx) ** 2 + (gy - cy) ** 2;
      map[gy * GRID + gx] = 0.08 + 0.02 * (((gx * 7 + gy * 13 + z) % 5) / 5) + 0.9 * Math.exp(-d2 / 8);
    }
  }
  return map;
}

function writeSeries(dir: string, spec: ViewerSeriesSpec, k: number): SyntheticCtSeries {
  return writeSyntheticCt(dir, {
    uidName: `normscope/bench/viewer/${spec.name}`,
    slices: spec.slices,
    size: spec.size,
    seed: k + 1,
    studyDate: `202501${String(10 + k).padStart(2, '0')}`,
    studyDescription: `Synthetic CT ${spec.name} (viewer benchmark)`,
    patientName: `Bench^Viewer${String.fromCharCode(65 + k)}`,
    patientId: `BENCH-VIEWER-${k}`,
  });
}

/**
 * Writes and imports one study per spec into the store of `dataDir`, scores
 * every slice with a synthetic map in one scoring run, and creates the
 * reviewer "Bench Reader".
 */
export async function prepareViewerData(dataDir: string, specs: readonly ViewerSeriesSpec[]): Promise<ViewerFixture> {
  const dicomDir = await mkdtemp(join(tmpdir(), 'normscope-bench-viewer-dicom-'));
  const store = openStore({ dataDir });
  try {
    const written = [];
    for (const [k, spec] of specs.entries()) written.push({ spec, ...writeSeries(join(dicomDir, `s${k}`), spec, k) });
    const imported = await importDicom(store, [dicomDir]);
    if (imported.failed > 0) throw new Error(`viewer fixture import failed: ${JSON.stringify(imported.failures.slice(0, 3))}`);

    const sha = (c: string): string => c.repeat(64);
    const backbone = store.models.addBackbone({ name: 'stand-in (viewer benchmark)', sha256: sha('d'), fileSha256: sha('e'), standIn: true, manifest: { family: 'standin' } });
    const model = store.models.addModelVersion({
      name: 'Viewer benchmark (synthetic maps)',
      backboneId: backbone.id,
      arConfig: { mode: 'bidirectional' },
      weightsSha256: sha('f'),
      preprocessingVersion: 'bench',
      preprocessing: {},
      provenance: { syntheticMaps: true },
      createdBy: 'system',
    });
    store.models.activate(model.id);
    const run = store.scoring.startRun({ modelVersionId: model.id, backboneSha256: backbone.sha256, onnxruntimeVersion: 'bench', provider: 'cpu', threads: 1 });
    for (const w of written) {
      let best = 0;
      const maps = w.sops.map((sop, z) => {
        const map = syntheticMap(z, w.spec.slices);
        const imageScore = Math.max(...map);
        best = Math.max(best, imageScore);
        return { sopInstanceUid: sop, frame: 0, gridH: GRID, gridW: GRID, map: encodeFloat16(map), imageScore };
      });
      store.scoring.putMaps(run.id, maps);
      store.scoring.putSeriesScore(run.id, w.seriesUid, best);
      store.scoring.putStudyScore(run.id, w.studyUid, best);
    }
    store.scoring.setState(run.id, 'succeeded');
    const reviewer = store.reviewers.create('Bench Reader');
    return { reviewer, series: written.map((w) => ({ ...w.spec, studyUid: w.studyUid, seriesUid: w.seriesUid })) };
  } finally {
    store.close();
    await rm(dicomDir, { recursive: true, force: true });
  }
}
