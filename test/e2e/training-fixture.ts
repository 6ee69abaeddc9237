/**
 * A data directory ready to train on, made the way a site would: phantom
 * brain MR studies written as DICOM and imported through the DICOM import,
 * the tiny stand-in backbone generated and imported through the engine, and
 * verdicts recorded by a reviewer (normals and one abnormal study).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../src-main/core';
import { importDicom } from '../../src-main/dicom/import';
import { importBackbone } from '../../src-main/engine/backbones';
import { buildStandInBackbone } from '../../src-main/ml/backbone/standin';
import { writePhantomDicomSeries } from '../../src-main/ml/phantom/dicom-writer';
import { generatePhantomStudy } from '../../src-main/ml/phantom/study';

export interface TrainingFixture {
  normalStudyUids: string[];
  abnormalStudyUids: string[];
  backboneSha256: string;
}

export async function prepareTrainingData(
  dataDir: string,
  options: { normals: number; abnormals: number; slices: number; size: number },
): Promise<TrainingFixture> {
  const scratch = await mkdtemp(join(tmpdir(), 'normscope-training-fixture-'));
  const core = await createCore({ dataDir, host: 'cli' });
  try {
    const normalStudyUids: string[] = [];
    const abnormalStudyUids: string[] = [];
    for (let k = 0; k < options.normals + options.abnormals; k++) {
      const lesions = k >= options.normals;
      const phantom = generatePhantomStudy({ seed: 300 + k, slices: options.slices, size: options.size, lesions });
      const written = await writePhantomDicomSeries(join(scratch, `s${k}`), phantom, {
        patientName: `Phantom^${String.fromCharCode(65 + k)}`,
        patientId: `PT${String(k).padStart(4, '0')}`,
        studyDescription: lesions ? 'MR brain (phantom, lesions)' : 'MR brain (phantom)',
        studyDate: `202502${String(10 + k).padStart(2, '0')}`,
      });
      (lesions ? abnormalStudyUids : normalStudyUids).push(written.studyInstanceUid);
    }
    const imported = await importDicom(core.store, [scratch]);
    if (imported.failed > 0) throw new Error(`fixture import failed: ${JSON.stringify(imported.failures)}`);
    const backboneFile = join(scratch, 'standin-tiny.onnx');
    await writeFile(backboneFile, buildStandInBackbone({ preset: 'tiny', seed: 0 }));
    const { backbone } = await importBackbone(core, backboneFile, { name: 'stand-in tiny' });
    const reviewer = core.store.reviewers.create('Dr Fixture');
    for (const studyUid of normalStudyUids) core.store.verdicts.append({ studyUid, reviewerId: reviewer.id, verdict: 'normal' });
    for (const studyUid of abnormalStudyUids) core.store.verdicts.append({ studyUid, reviewerId: reviewer.id, verdict: 'abnormal' });
    return { normalStudyUids, abnormalStudyUids, backboneSha256: backbone.sha256 };
  } finally {
    await core.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
