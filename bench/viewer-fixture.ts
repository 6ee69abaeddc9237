/**
 * The viewer benchmark's data directory: synthetic 512x512 16-bit CT series
 * (a noisy body-like ellipse that changes along z, so every slice differs),
 * written as explicit VR little endian DICOM with dcmjs and imported through
 * the product's DICOM import; each series gets anomaly maps written through
 * store.scoring as the scoring job writes them. The maps are SYNTHETIC (a
 * smooth blob per slice, not the engine's output): the viewer's cost to show
 * an overlay does not depend on where the map came from. A reviewer is
 * created so the page can start a reading session without the name dialog.
 */
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reviewer } from '../src-main/api/contract';
import { importDicom } from '../src-main/dicom/import';
import { encodeFloat16 } from '../src-main/ml/float16';
import { uidFromName } from '../src-main/ml/phantom/dicom-writer';
import { openStore } from '../src-main/store/store';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const GRID = 28;

interface DcmjsModule {
  data: {
    DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): unknown };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;

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

/** Stored values of slice `z` of `slices`: air, ~40 HU tissue in an ellipse that shrinks towards the ends, a bone rim, 12 HU noise. */
function ctSlice(z: number, slices: number, size: number, seed: number): Uint16Array {
  const pixels = new Uint16Array(size * size);
  const scale = 0.75 + 0.2 * Math.sin((Math.PI * z) / slices);
  const a = (size / 2) * 0.85 * scale;
  const b = (size / 2) * 0.6 * scale;
  let state = (seed * 2654435761 + z * 40503) >>> 0 || 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = ((x - size / 2) / a) ** 2 + ((y - size / 2) / b) ** 2;
      const hu = r > 1 ? -1000 : r > 0.85 ? 700 : 40;
      // xorshift32: uniform noise, summed pairs roughly bell-shaped, cheap enough for 1000 slices
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const noise = (((state >>> 0) & 0xffff) / 0xffff + ((state >>> 16) & 0xffff) / 0xffff - 1) * 29;
      pixels[y * size + x] = Math.max(0, Math.min(4095, Math.round(hu + 1024 + noise)));
    }
  }
  return pixels;
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

async function writeSeries(dir: string, spec: ViewerSeriesSpec, k: number): Promise<{ studyUid: string; seriesUid: string; sops: string[] }> {
  await mkdir(dir, { recursive: true });
  const studyUid = uidFromName(`normscope/bench/viewer/${spec.name}/study`);
  const seriesUid = uidFromName(`normscope/bench/viewer/${spec.name}/series`);
  const sops: string[] = [];
  for (let i = 0; i < spec.slices; i++) {
    const sop = uidFromName(`normscope/bench/viewer/${spec.name}/instance/${i}`);
    sops.push(sop);
    const dataset: Record<string, unknown> = {
      _vrMap: { PixelData: 'OW' },
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sop,
      StudyDate: `202501${String(10 + k).padStart(2, '0')}`,
      StudyTime: '090000',
      Modality: 'CT',
      StudyDescription: `Synthetic CT ${spec.name} (viewer benchmark)`,
      SeriesDescription: `Synthetic axial ${spec.slices} slices (not patient data)`,
      PatientName: `Bench^Viewer${String.fromCharCode(65 + k)}`,
      PatientID: `BENCH-VIEWER-${k}`,
      StudyInstanceUID: studyUid,
      SeriesInstanceUID: seriesUid,
      SeriesNumber: 1,
      InstanceNumber: i + 1,
      ImagePositionPatient: [-200, -200, i * 1.25],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      SliceThickness: 1.25,
      PixelSpacing: [0.78125, 0.78125],
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: spec.size,
      Columns: spec.size,
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      RescaleIntercept: -1024,
      RescaleSlope: 1,
      WindowCenter: 40,
      WindowWidth: 400,
      PixelData: [ctSlice(i, spec.slices, spec.size, k + 1).buffer],
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sop,
      TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
      ImplementationClassUID: uidFromName('normscope/implementation-class'),
    };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    await writeFile(join(dir, `CT${String(i + 1).padStart(4, '0')}.dcm`), new Uint8Array(dict.write()));
  }
  return { studyUid, seriesUid, sops };
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
    for (const [k, spec] of specs.entries()) written.push({ spec, ...(await writeSeries(join(dicomDir, `s${k}`), spec, k)) });
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
