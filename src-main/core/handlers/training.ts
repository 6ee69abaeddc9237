/** `training.*`: thin over the training service (src-main/training). */
import type { Handler } from '../../api/dispatch';
import type { Store } from '../../store/store';
import type { TrainingService } from '../../training/service';
import { trainingDefaults } from '../../training/service';

export function trainingHandlers(
  store: Pick<Store, 'studies'>,
  training: TrainingService,
): {
  'training.start': Handler<'training.start'>;
  'training.continue': Handler<'training.continue'>;
  'training.runs': Handler<'training.runs'>;
  'training.run': Handler<'training.run'>;
  'training.candidates': Handler<'training.candidates'>;
  'training.defaults': Handler<'training.defaults'>;
} {
  return {
    'training.start': (params) => training.start(params),
    'training.continue': ({ runId, reviewerId }) => training.continueRun(runId, reviewerId),
    'training.runs': () => training.list(),
    'training.run': ({ runId }) => training.get(runId),
    // no patient identifiers: a study is picked by its description, date and content
    'training.candidates': () =>
      store.studies.listWorklist().map((row) => ({
        studyUid: row.studyUid,
        description: row.description,
        studyDate: row.studyDate,
        modalities: row.modalities,
        instanceCount: row.instanceCount,
        verdict: row.verdict?.value ?? null,
      })),
    'training.defaults': () => trainingDefaults(),
  };
}
