/**
 * The worklist and the viewer's study: store rows joined with what the
 * reviewer needs to read them (flag against the model's threshold, reviewer
 * names, per-frame scores of the study's scoring run).
 */
import type { StudyView, ThresholdView, WorklistEntry } from '../api/contract/studies';
import { NormscopeError } from '../api/errors';
import type { Store } from '../store/store';

type ReadStore = Pick<Store, 'studies' | 'thresholds' | 'reviewers' | 'scoring' | 'models'>;

/** Every study, highest score first (the store's order), with flag and verdict. */
export function listWorklist(store: ReadStore): WorklistEntry[] {
  const thresholds = new Map<string, number | null>();
  const imageThreshold = (modelVersionId: string): number | null => {
    if (!thresholds.has(modelVersionId)) {
      thresholds.set(modelVersionId, store.thresholds.current(modelVersionId)?.imageThreshold ?? null);
    }
    return thresholds.get(modelVersionId) ?? null;
  };
  const names = new Map(store.reviewers.list().map((r) => [r.id, r.name]));
  return store.studies.listWorklist().map((row) => {
    const threshold = row.score ? imageThreshold(row.score.modelVersionId) : null;
    return {
      studyUid: row.studyUid,
      studyDate: row.studyDate,
      studyTime: row.studyTime,
      description: row.description,
      accessionNumber: row.accessionNumber,
      modalities: row.modalities,
      patientId: row.patientId,
      patientName: row.patientName,
      patientSex: row.patientSex,
      seriesCount: row.seriesCount,
      instanceCount: row.instanceCount,
      score: row.score?.value ?? null,
      scoringRunId: row.score?.scoringRunId ?? null,
      modelVersionId: row.score?.modelVersionId ?? null,
      imageThreshold: threshold,
      flagged: row.score && threshold !== null ? row.score.value >= threshold : null,
      verdict: row.verdict && {
        id: row.verdict.id,
        value: row.verdict.value,
        reviewerName: names.get(row.verdict.reviewerId) ?? row.verdict.reviewerId,
        at: row.verdict.at,
      },
    };
  });
}

export function toThresholdView(threshold: ThresholdView | undefined): ThresholdView | null {
  return threshold ? { ...threshold } : null;
}

/** One study for the viewer: series in order, instances in slice order, and its latest scoring. */
export function readStudyView(store: ReadStore, studyUid: string): StudyView {
  const detail = store.studies.getStudy(studyUid);
  if (!detail) throw new NormscopeError('NotFound', `study ${studyUid} is not in the data directory`);
  const score = store.studies.listWorklist().find((row) => row.studyUid === studyUid)?.score ?? null;
  const series = detail.series.map((s) => ({
    seriesUid: s.seriesUid,
    seriesNumber: s.seriesNumber,
    modality: s.modality,
    description: s.description,
    orientation: s.orientation,
    spacing: s.spacing,
    instances: s.instances.map((i) => ({
      sopInstanceUid: i.sopInstanceUid,
      instanceNumber: i.instanceNumber,
      frames: i.frames,
      rows: i.rows,
      columns: i.columns,
      position: i.positionAlongNormal,
      attributes: i.attributes,
    })),
    imageScores: score ? store.scoring.imageScores(score.scoringRunId, s.seriesUid) : [],
  }));
  const model = score ? store.models.getModelVersion(score.modelVersionId) : undefined;
  const maxImageScore = Math.max(0, ...series.flatMap((s) => s.imageScores.map((x) => x.imageScore)));
  return {
    studyUid,
    patientId: detail.patient.patientId,
    patientName: detail.patient.name,
    patientSex: detail.patient.sex,
    patientBirthDate: detail.patient.birthDate,
    studyDate: detail.study.studyDate,
    description: detail.study.description,
    accessionNumber: detail.study.accessionNumber,
    modalities: detail.study.modalities,
    series,
    scoring: score && {
      scoringRunId: score.scoringRunId,
      modelVersionId: score.modelVersionId,
      modelName: model?.name ?? score.modelVersionId,
      studyScore: score.value,
      threshold: toThresholdView(store.thresholds.current(score.modelVersionId)),
      maxImageScore,
    },
  };
}
