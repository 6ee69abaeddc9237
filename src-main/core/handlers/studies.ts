/** `studies.*`: the worklist and the viewer's study (src-main/review does the work). */
import type { Handler } from '../../api/dispatch';
import { listWorklist, readStudyView } from '../../review/worklist';
import type { Store } from '../../store/store';

export function studiesHandlers(store: Store): {
  'studies.worklist': Handler<'studies.worklist'>;
  'studies.get': Handler<'studies.get'>;
} {
  return {
    'studies.worklist': () => listWorklist(store),
    'studies.get': ({ studyUid }) => readStudyView(store, studyUid),
  };
}
