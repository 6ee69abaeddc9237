/**
 * Recording verdicts: append-only, a new verdict supersedes the study's
 * current one, and it carries the model version and threshold in force. The
 * verdict and its audit entry share one transaction, so a verdict the trail
 * cannot record is not kept.
 */
import type { RegionMark, VerdictView } from '../api/contract/review';
import type { VerdictValue } from '../api/contract/studies';
import { NormscopeError } from '../api/errors';
import type { Verdict } from '../store/repositories/verdicts-repository';
import type { Store } from '../store/store';

type VerdictStore = Pick<
  Store,
  'transaction' | 'audit' | 'verdicts' | 'reviewers' | 'studies' | 'thresholds' | 'models'
>;

export interface VerdictRequest {
  studyUid: string;
  reviewerId: string;
  verdict: VerdictValue;
  comment: string;
  regionMarks: RegionMark[];
}

function toView(verdict: Verdict, reviewerName: string): VerdictView {
  return { ...verdict, reviewerName };
}

/** The model whose output the reviewer saw: the one that scored the study last, else the active one. */
function modelInForce(store: VerdictStore, studyUid: string): string | null {
  const scored = store.studies.listWorklist().find((row) => row.studyUid === studyUid)?.score;
  return scored?.modelVersionId ?? store.models.activeModelVersion()?.id ?? null;
}

export function recordVerdict(store: VerdictStore, request: VerdictRequest): VerdictView {
  const reviewer = store.reviewers.get(request.reviewerId);
  if (!reviewer) throw new NormscopeError('NotFound', 'the reviewer of this verdict does not exist; choose one first');
  return store.transaction(() => {
    if (!store.studies.getStudy(request.studyUid)) {
      throw new NormscopeError('NotFound', `study ${request.studyUid} is not in the data directory`);
    }
    const previous = store.verdicts.current(request.studyUid);
    const modelVersionId = modelInForce(store, request.studyUid);
    const thresholdId = modelVersionId ? (store.thresholds.current(modelVersionId)?.id ?? null) : null;
    const verdict = store.verdicts.append({
      studyUid: request.studyUid,
      reviewerId: reviewer.id,
      verdict: request.verdict,
      comment: request.comment,
      regionMarks: request.regionMarks,
      modelVersionId,
      thresholdId,
      supersedesId: previous?.id ?? null,
    });
    store.audit.append({
      actor: reviewer.name,
      action: previous ? 'verdict.supersede' : 'verdict.record',
      objectIds: { studyUid: request.studyUid, verdictId: verdict.id, supersedesId: previous?.id ?? null },
      // the comment may name the patient: the trail records only that there is one
      details: {
        verdict: request.verdict,
        modelVersionId,
        thresholdId,
        regionMarks: request.regionMarks.length,
        hasComment: request.comment.trim() !== '',
      },
    });
    return toView(verdict, reviewer.name);
  });
}

/** Every verdict on the study, oldest first, with reviewer names. */
export function verdictHistory(store: Pick<Store, 'verdicts' | 'reviewers'>, studyUid: string): VerdictView[] {
  const names = new Map(store.reviewers.list().map((r) => [r.id, r.name]));
  return store.verdicts.history(studyUid).map((v) => toView(v, names.get(v.reviewerId) ?? v.reviewerId));
}
