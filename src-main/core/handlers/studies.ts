/** `studies.*`: the worklist and the viewer's study (src-main/review does the work). */
import type { Handler } from '../../api/dispatch';
import type { ReviewServices } from '../../review/services';
import { listWorklist, readStudyView } from '../../review/worklist';
import type { Store } from '../../store/store';

export function studiesHandlers(
  store: Store,
  review: Pick<ReviewServices, 'warmDecoder'>,
): {
  'studies.worklist': Handler<'studies.worklist'>;
  'studies.get': Handler<'studies.get'>;
} {
  return {
    'studies.worklist': () => {
      // whoever reads the worklist is about to open a study: start its decoder now
      review.warmDecoder();
      return listWorklist(store);
    },
    'studies.get': ({ studyUid }) => readStudyView(store, studyUid),
  };
}
