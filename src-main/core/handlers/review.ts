/** `review.*`: reviewers, verdicts and thresholds (src-main/review does the work). */
import type { Handler } from '../../api/dispatch';
import type { EventBus } from '../../api/event-bus';
import { NormscopeError } from '../../api/errors';
import { calibrate, performance, saveThreshold } from '../../review/thresholds';
import { recordVerdict, verdictHistory } from '../../review/verdicts';
import type { Store } from '../../store/store';

type ReviewMethod =
  | 'review.reviewers'
  | 'review.createReviewer'
  | 'review.verdict'
  | 'review.history'
  | 'review.thresholds'
  | 'review.calibrate'
  | 'review.performance'
  | 'review.saveThreshold';

export function reviewHandlers(store: Store, events: EventBus): { [M in ReviewMethod]: Handler<M> } {
  return {
    'review.reviewers': () => store.reviewers.list(),
    'review.createReviewer': ({ name }) => store.reviewers.create(name),
    'review.verdict': (request) => {
      const verdict = recordVerdict(store, request);
      events.publish('studies.changed', { reason: 'verdict', studyUids: [request.studyUid] });
      return verdict;
    },
    'review.history': ({ studyUid }) => verdictHistory(store, studyUid),
    'review.thresholds': ({ modelVersionId }) => {
      const model = modelVersionId
        ? store.models.getModelVersion(modelVersionId)
        : store.models.activeModelVersion();
      if (modelVersionId && !model) throw new NormscopeError('NotFound', `model version ${modelVersionId} does not exist`);
      return {
        model: model ? { id: model.id, name: model.name } : null,
        current: model ? (store.thresholds.current(model.id) ?? null) : null,
        history: model ? store.thresholds.history(model.id) : [],
      };
    },
    'review.calibrate': (request) => calibrate(store, request),
    'review.performance': ({ modelVersionId }) => performance(store, modelVersionId),
    'review.saveThreshold': (request) => {
      const saved = saveThreshold(store, request);
      events.publish('studies.changed', { reason: 'threshold', studyUids: [] });
      return saved;
    },
  };
}
