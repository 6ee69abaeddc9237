/** A report model with `rows` studies, built by hand for the writers' tests (no database needed). */
import { reportContentSha256 } from '../../../../src-main/reports/content-hash';
import type { BuiltReport, ReportModel, ReportRow } from '../../../../src-main/reports/model';

export function sampleReport(
  rows: number,
  patch: (row: ReportRow, index: number) => Partial<ReportRow> = () => ({}),
): BuiltReport {
  const list: ReportRow[] = Array.from({ length: rows }, (_, i) => {
    const row: ReportRow = {
      patientName: `Patient^Number${i}`,
      patientId: `ID${String(i).padStart(5, '0')}`,
      accessionNumber: i % 3 === 0 ? `ACC${i}` : null,
      studyUid: `1.2.826.0.1.3680043.8.498.${1000 + i}`,
      studyDate: '2026-03-04',
      description: 'MR brain',
      modelVersionId: 'model-1',
      modelName: 'AR v1',
      score: 0.1 + i / 100,
      scoredAt: '2026-03-05T10:00:00.000Z',
      thresholdId: 1,
      imageThreshold: 0.5,
      flagged: 0.1 + i / 100 >= 0.5,
      verdicts: [
        {
          id: i + 1,
          verdict: i % 2 ? 'abnormal' : 'normal',
          reviewer: 'Dr Who',
          at: '2026-03-06T09:30:00.000Z',
          supersedesId: null,
        },
      ],
      agreement: 'agree',
    };
    return { ...row, ...patch(row, i) };
  });
  const model: ReportModel = {
    format: 'normscope-report/1',
    generatedAt: '2026-03-31T12:00:00.000Z',
    normscopeVersion: 'test',
    scope: {
      from: '2026-03-01',
      to: '2026-03-31',
      reviewerFilter: null,
      modelFilter: null,
      reviewers: ['Dr Who'],
      modelVersions: [],
      deidentified: false,
      deidentification: null,
    },
    rows: list,
    agreement: {
      truePositives: 0,
      falsePositives: 0,
      trueNegatives: 0,
      falseNegatives: 0,
      sensitivity: null,
      specificity: null,
      agreementRate: null,
      compared: 0,
      uncertain: 0,
      unreviewed: 0,
      unscored: 0,
      noThreshold: 0,
    },
    keyImages: [],
    keyImageProblems: [],
    audit: {
      ok: true,
      entries: 3,
      headSeq: 3,
      brokenSeq: null,
      reason: null,
      anchor: 'confirmed',
      adoptedAtSeq: null,
      checkedAt: '2026-03-31T12:00:00.000Z',
      summary: 'Audit chain verified (3 entries)',
    },
  };
  return { model, contentSha256: reportContentSha256(model), images: new Map() };
}
