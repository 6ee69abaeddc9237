import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDataDir, prepareReviewData } from '../../review/review-fixture';
import type { ReviewFixture } from '../../review/review-fixture';
import { normscope } from '../run-in-process';

let dataDir: string;
let fixture: ReviewFixture;

beforeAll(async () => {
  dataDir = await freshDataDir();
  fixture = await prepareReviewData(dataDir, { normals: 3, abnormals: 1, slices: 4, size: 64 });
}, 60_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('normscope thresholds', () => {
  it('calibrates on the normal-verdict studies, saves a version as the reviewer, and show lists it', async () => {
    const none = await normscope(['thresholds', 'show', '--data-dir', dataDir]);
    expect(none).toMatchObject({ code: 0, out: expect.stringContaining('no thresholds yet') });
    const noNormals = await normscope(['thresholds', 'calibrate', '--data-dir', dataDir]);
    expect(noNormals).toMatchObject({ code: 1, err: expect.stringContaining('no normal study scored by this model') });

    for (const study of fixture.studies.filter((s) => !s.lesions)) {
      const recorded = await normscope(['verdict', '--study', study.studyUid, '--verdict', 'normal', '--reviewer', 'Dr Calibrate', '--data-dir', dataDir]);
      expect(recorded.code).toBe(0);
    }
    const saved = await normscope(['thresholds', 'calibrate', '--image-fpr', '0.25', '--save', '--reviewer', 'Dr Calibrate', '--json', '--data-dir', dataDir]);
    expect(saved.code).toBe(0);
    const result = JSON.parse(saved.out) as {
      calibration: { modelVersionId: string; normalStudies: number; normalImages: number; imageThreshold: number; achievedImageFpr: number; sources: string[] };
      saved: { id: number; imageThreshold: number; createdBy: string };
    };
    expect(result.calibration).toMatchObject({ modelVersionId: fixture.modelVersionId, normalStudies: 3, normalImages: 12, sources: ['verdict-normal'] });
    expect(result.calibration.achievedImageFpr).toBeLessThanOrEqual(0.25);
    expect(result.saved).toMatchObject({ imageThreshold: result.calibration.imageThreshold, createdBy: 'Dr Calibrate' });

    const text = await normscope(['thresholds', 'calibrate', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/calibrated on 3 normal studies \(12 images/);
    expect(text.out).toMatch(/image threshold [\d.]+ +\(target false-positive rate 5\.00%/);
    expect(text.out).toContain('not saved');

    const shown = await normscope(['thresholds', 'show', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(shown.out)).toMatchObject({
      model: { id: fixture.modelVersionId },
      current: { id: result.saved.id, createdBy: 'Dr Calibrate' },
      history: [{ id: result.saved.id }],
    });
    const shownText = await normscope(['thresholds', 'show', '--model', fixture.modelVersionId, '--data-dir', dataDir]);
    expect(shownText.out).toContain(`current: #${result.saved.id}`);
  });

  it('refuses --save without --reviewer and a rate outside 0..1 as usage errors (exit 2)', async () => {
    const noReviewer = await normscope(['thresholds', 'calibrate', '--save', '--data-dir', dataDir]);
    expect(noReviewer).toMatchObject({ code: 2, err: expect.stringContaining('--save needs --reviewer') });
    expect((await normscope(['thresholds', 'calibrate', '--pixel-fpr', '5', '--data-dir', dataDir])).code).toBe(2);
  });
});
