/**
 * The demo's studies: synthetic brain-like MR phantoms (src-main/ml/phantom),
 * some normal and some with lesions, written as real DICOM so the demo goes
 * through the same import as a site's files. Names and dates are invented.
 */
import { join } from 'node:path';
import { throwIfCancelled } from '../jobs/cancellation';
import { generatePhantomSlice } from '../ml/phantom/slice';
import { PHANTOM_AXIAL_EXTENT_MM, PHANTOM_FIELD_OF_VIEW_MM, type PhantomStudy } from '../ml/phantom/study';
import { writePhantomDicomSeries } from '../ml/phantom/dicom-writer';

export interface DemoStudySpec {
  patientName: string;
  patientId: string;
  studyDate: string;
  lesions: boolean;
  seed: number;
}

/** Slices per study and their size: small enough that the whole demo loads in about a minute on 2 cores. */
export const DEMO_SLICES = 8;
export const DEMO_SIZE = 256;

const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines'];

/** Six normal studies (four train the demo model, two are held out for calibration) and three with lesions. */
export const DEMO_STUDIES: readonly DemoStudySpec[] = FIRST_NAMES.map((name, i) => ({
  patientName: `Demo^${name}`,
  patientId: `DEMO-${String(i + 1).padStart(3, '0')}`,
  studyDate: `202511${String(3 + i * 2).padStart(2, '0')}`,
  lesions: i >= 6,
  seed: 1000 + i,
}));

export interface WrittenDemoStudy {
  spec: DemoStudySpec;
  studyInstanceUid: string;
  files: string[];
}

/** Yields to the event loop between slices: generating one takes a few hundred ms of CPU. */
function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes every demo study under `dir` (one folder per study); `onStudy` reports each one written. */
export async function writeDemoStudies(
  dir: string,
  options: { signal?: AbortSignal; onStudy?: (done: number, total: number) => void } = {},
): Promise<WrittenDemoStudy[]> {
  const written: WrittenDemoStudy[] = [];
  for (const [index, spec] of DEMO_STUDIES.entries()) {
    const slices = [];
    for (let sliceIndex = 0; sliceIndex < DEMO_SLICES; sliceIndex++) {
      throwIfCancelled(options.signal, 'loading the demo');
      slices.push(
        generatePhantomSlice({ seed: spec.seed, sliceIndex, slices: DEMO_SLICES, size: DEMO_SIZE, lesions: spec.lesions }),
      );
      await nextTick();
    }
    const study: PhantomStudy = {
      seed: spec.seed,
      lesions: spec.lesions,
      size: DEMO_SIZE,
      slices,
      pixelSpacingMm: PHANTOM_FIELD_OF_VIEW_MM / DEMO_SIZE,
      sliceSpacingMm: PHANTOM_AXIAL_EXTENT_MM / DEMO_SLICES,
    };
    const series = await writePhantomDicomSeries(join(dir, spec.patientId), study, {
      patientName: spec.patientName,
      patientId: spec.patientId,
      studyDate: spec.studyDate,
      studyDescription: 'MR Brain (synthetic phantom)',
      accessionNumber: `DEMO${index + 1}`,
    });
    written.push({ spec, studyInstanceUid: series.studyInstanceUid, files: series.files });
    options.onStudy?.(index + 1, DEMO_STUDIES.length);
  }
  return written;
}
