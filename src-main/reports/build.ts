/**
 * Builds an audit report's model from the data directory (issue 7): scope,
 * one row per study, agreement figures, key images, the audit chain's state
 * and the content hash. Read only: writing it out is export.ts's job.
 */
import { createHash } from 'node:crypto';
import { NormscopeError } from '../api/errors';
import { verifyAuditChain } from '../audit/chain-status';
import type { Store } from '../store/store';
import { agreementFigures, agreementOf } from './agreement';
import { reportContentSha256 } from './content-hash';
import type { Deidentifier } from './deidentify';
import { createDeidentifier } from './deidentify';
import type { DecodeFrame } from './key-images';
import { mostAnomalousFrame, renderKeyImage } from './key-images';
import type {
  BuiltReport,
  KeyImage,
  ReportModel,
  ReportModelVersion,
  ReportRequest,
  ReportRow,
} from './model';
import { REPORT_FORMAT } from './model';
import type { ThresholdRow, TimeWindow } from './queries';
import { ReportQueries } from './queries';

/** more flagged or disagreed studies than this get no key image (said in the report), keeping the PDF printable */
export const MAX_KEY_IMAGES = 60;

export type ReportStore = Pick<
  Store,
  'db' | 'studies' | 'models' | 'reviewers' | 'scoring' | 'files' | 'audit'
>;

export interface BuildDependencies {
  /** decodes frames for key images in a supervised worker; without it the report has none and says why */
  decode?: DecodeFrame;
  normscopeVersion: string;
  now?: () => Date;
  /** de-identification with a fixed key and shift (tests); a fresh random one per report otherwise */
  deidentifier?: Deidentifier;
  /** 0..1 and what is being done */
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The request's days as a window of stored timestamps; InvalidRequest for impossible dates or an inverted range. */
export function reportWindow(request: Pick<ReportRequest, 'from' | 'to'>): TimeWindow {
  const parse = (day: string, which: string): number => {
    const ms = DAY.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
      throw new NormscopeError(
        'InvalidRequest',
        `${which} date "${day}" is not a date of the form YYYY-MM-DD`,
      );
    }
    return ms;
  };
  const from = parse(request.from, 'the from');
  const to = parse(request.to, 'the to');
  if (to < from)
    throw new NormscopeError(
      'InvalidRequest',
      `the report period ends (${request.to}) before it starts (${request.from})`,
    );
  return { from: new Date(from).toISOString(), until: new Date(to + 86_400_000).toISOString() };
}

export async function buildReport(
  store: ReportStore,
  request: ReportRequest,
  deps: BuildDependencies,
): Promise<BuiltReport> {
  const window = reportWindow(request);
  const progress = deps.onProgress ?? (() => undefined);
  const queries = new ReportQueries(store.db);
  const reviewer =
    request.reviewer === undefined ? null : store.reviewers.findByName(request.reviewer);
  if (reviewer === undefined)
    throw new NormscopeError('NotFound', `no reviewer is named "${request.reviewer}"`);
  const model = request.modelVersion === undefined ? null : findModel(store, request.modelVersion);

  progress(0, 'Reading studies, scores and verdicts');
  const rows: ReportRow[] = [];
  const thresholdsUsed = new Map<number, ThresholdRow>();
  const scoringRunOf = new Map<string, string>();
  for (const studyUid of queries.studyUids(window, reviewer?.id ?? null, model?.id ?? null)) {
    const study = store.studies.getStudy(studyUid);
    if (!study) continue;
    const score = queries.score(studyUid, window.until, model?.id ?? null);
    if (model && !score) continue;
    const verdicts = queries.verdicts(studyUid, window, reviewer?.id ?? null);
    const last = verdicts.at(-1) ?? null;
    let threshold: ThresholdRow | undefined;
    if (score) {
      const recorded = last?.thresholdId != null ? queries.threshold(last.thresholdId) : undefined;
      threshold =
        recorded?.model_version_id === score.modelVersionId
          ? recorded
          : queries.thresholdInForce(score.modelVersionId, last?.createdAt ?? window.until);
      if (threshold) thresholdsUsed.set(threshold.id, threshold);
      scoringRunOf.set(studyUid, score.scoringRunId);
    }
    const flagged = score && threshold ? score.score >= threshold.image_threshold : null;
    rows.push({
      patientName: study.patient.name,
      patientId: study.patient.patientId,
      accessionNumber: study.study.accessionNumber,
      studyUid,
      studyDate: study.study.studyDate,
      description: study.study.description,
      modelVersionId: score?.modelVersionId ?? null,
      modelName: score ? (store.models.getModelVersion(score.modelVersionId)?.name ?? null) : null,
      score: score?.score ?? null,
      scoredAt: score?.scoredAt ?? null,
      thresholdId: threshold?.id ?? null,
      imageThreshold: threshold?.image_threshold ?? null,
      flagged,
      verdicts: verdicts.map((v) => ({
        id: v.id,
        verdict: v.verdict,
        reviewer: v.reviewerName,
        at: v.createdAt,
        supersedesId: v.supersedesId,
      })),
      agreement: agreementOf(score?.score ?? null, flagged, last?.verdict ?? null),
    });
  }

  const keyImages: KeyImage[] = [];
  const keyImageProblems: Array<{ studyUid: string; reason: string }> = [];
  const images = new Map<string, Uint8Array>();
  const wanted = rows
    .filter((row) => row.flagged === true || row.agreement === 'disagree')
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  for (const [index, row] of wanted.entries()) {
    deps.signal?.throwIfAborted();
    progress(
      0.1 + (0.8 * index) / wanted.length,
      `Rendering key image ${index + 1} of ${wanted.length}`,
    );
    if (index >= MAX_KEY_IMAGES) {
      keyImageProblems.push({
        studyUid: row.studyUid,
        reason: `not shown: a report holds at most ${MAX_KEY_IMAGES} key images`,
      });
      continue;
    }
    try {
      const rendered = await keyImageOf(
        store,
        row,
        scoringRunOf.get(row.studyUid)!,
        thresholdsUsed,
        deps.decode,
      );
      const pngSha256 = createHash('sha256').update(rendered.png).digest('hex');
      images.set(pngSha256, rendered.png);
      keyImages.push({ ...rendered.image, pngSha256 });
    } catch (err) {
      keyImageProblems.push({ studyUid: row.studyUid, reason: (err as Error).message });
    }
  }

  progress(0.9, 'Verifying the audit chain');
  const modelVersions = describeModels(store, rows, thresholdsUsed);
  const reviewers = [...new Set(rows.flatMap((row) => row.verdicts.map((v) => v.reviewer)))].sort();
  let report: ReportModel = {
    format: REPORT_FORMAT,
    generatedAt: (deps.now?.() ?? new Date()).toISOString(),
    normscopeVersion: deps.normscopeVersion,
    scope: {
      from: request.from,
      to: request.to,
      reviewerFilter: reviewer?.name ?? null,
      modelFilter: model ? model.name : null,
      reviewers,
      modelVersions,
      deidentified: request.deidentify === true,
      deidentification: null,
    },
    rows,
    agreement: agreementFigures(rows),
    keyImages,
    keyImageProblems,
    audit: verifyAuditChain(store, deps.now),
  };
  if (request.deidentify)
    report = deidentifyReport(report, deps.deidentifier ?? createDeidentifier());
  // by study date, then UID (after de-identification, so the original UIDs' order does not show)
  report.rows.sort(
    (a, b) =>
      (a.studyDate ?? '').localeCompare(b.studyDate ?? '') || a.studyUid.localeCompare(b.studyUid),
  );
  progress(1, 'Report ready');
  return { model: report, contentSha256: reportContentSha256(report), images };
}

function findModel(store: ReportStore, idOrName: string): { id: string; name: string } {
  const byId = store.models.getModelVersion(idOrName);
  if (byId) return byId;
  const named = store.models.listModelVersions().filter((m) => m.name === idOrName);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new NormscopeError(
      'Conflict',
      `${named.length} model versions are named "${idOrName}"; give the version's id`,
    );
  }
  throw new NormscopeError('NotFound', `no model version has the id or name "${idOrName}"`);
}

async function keyImageOf(
  store: ReportStore,
  row: ReportRow,
  scoringRunId: string,
  thresholds: Map<number, ThresholdRow>,
  decode: DecodeFrame | undefined,
): Promise<{ image: Omit<KeyImage, 'pngSha256'>; png: Uint8Array }> {
  if (!decode)
    throw new NormscopeError('Unavailable', 'no frame decoder was available to this report');
  const study = store.studies.getStudy(row.studyUid)!;
  const frame = mostAnomalousFrame(store, scoringRunId, study);
  if (!frame)
    throw new NormscopeError('NotFound', 'the scoring run stored no anomaly map for this study');
  const map = store.scoring.getMap(scoringRunId, frame.sopInstanceUid, frame.frame)!;
  const decoded = await decode({ path: frame.path, frame: frame.frame });
  const pixelThreshold =
    row.thresholdId === null ? null : (thresholds.get(row.thresholdId)?.pixel_threshold ?? null);
  const rendered = renderKeyImage(decoded, map, pixelThreshold);
  return {
    png: rendered.png,
    image: {
      studyUid: row.studyUid,
      sopInstanceUid: frame.sopInstanceUid,
      frame: frame.frame,
      imageScore: frame.imageScore,
      reason: row.agreement === 'disagree' ? 'disagreement' : 'flagged',
      width: rendered.width,
      height: rendered.height,
      overlay: rendered.overlay,
    },
  };
}

function describeModels(
  store: ReportStore,
  rows: ReportRow[],
  thresholds: Map<number, ThresholdRow>,
): ReportModelVersion[] {
  const ids = [
    ...new Set(rows.map((row) => row.modelVersionId).filter((id): id is string => id !== null)),
  ];
  return ids
    .map((id) => store.models.getModelVersion(id)!)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .map((version) => {
      const backbone = store.models.getBackbone(version.backboneId)!;
      return {
        id: version.id,
        name: version.name,
        backbone: { name: backbone.name, sha256: backbone.sha256, standIn: backbone.standIn },
        weightsSha256: version.weightsSha256,
        arConfig: version.arConfig,
        preprocessingVersion: version.preprocessingVersion,
        preprocessing: version.preprocessing,
        thresholds: [...thresholds.values()]
          .filter((t) => t.model_version_id === version.id)
          .sort((a, b) => a.id - b.id)
          .map((t) => ({
            id: t.id,
            imageThreshold: t.image_threshold,
            pixelThreshold: t.pixel_threshold,
            createdAt: t.created_at,
            createdBy: t.created_by,
            method: JSON.parse(t.method) as Record<string, unknown>,
          })),
      };
    });
}

/** Applies the basic profile (deidentify.ts) to everything in the model that can identify a patient or reviewer. */
function deidentifyReport(report: ReportModel, d: Deidentifier): ReportModel {
  const reviewer = (name: string) => d.pseudonym('reviewer', name);
  return {
    ...report,
    // every date moves by the export's shift, the report's own times too: a real date beside shifted ones would date them
    generatedAt: d.dateTime(report.generatedAt),
    audit: { ...report.audit, checkedAt: d.dateTime(report.audit.checkedAt) },
    scope: {
      ...report.scope,
      from: d.date(report.scope.from),
      to: d.date(report.scope.to),
      reviewerFilter:
        report.scope.reviewerFilter === null ? null : reviewer(report.scope.reviewerFilter),
      reviewers: report.scope.reviewers.map(reviewer).sort(),
      modelVersions: report.scope.modelVersions.map((m) => ({
        ...m,
        thresholds: m.thresholds.map((t) => ({
          ...t,
          createdAt: d.dateTime(t.createdAt),
          createdBy: reviewer(t.createdBy),
        })),
      })),
      deidentification: d.method,
    },
    rows: report.rows.map((row) => ({
      ...row,
      patientName: d.pseudonym('patient-name', row.patientName ?? ''),
      patientId: d.pseudonym('patient-id', row.patientId),
      accessionNumber: row.accessionNumber ? d.pseudonym('accession', row.accessionNumber) : null,
      studyUid: d.uid(row.studyUid),
      studyDate: row.studyDate === null ? null : d.date(row.studyDate),
      description: null,
      scoredAt: row.scoredAt === null ? null : d.dateTime(row.scoredAt),
      verdicts: row.verdicts.map((v) => ({
        ...v,
        reviewer: reviewer(v.reviewer),
        at: d.dateTime(v.at),
      })),
    })),
    keyImages: report.keyImages.map((k) => ({
      ...k,
      studyUid: d.uid(k.studyUid),
      sopInstanceUid: d.uid(k.sopInstanceUid),
    })),
    // a reason may name a file path, and paths may hold names: only the limit's reason is kept
    keyImageProblems: report.keyImageProblems.map((p) => ({
      studyUid: d.uid(p.studyUid),
      reason: p.reason.startsWith('not shown:')
        ? p.reason
        : 'the key image could not be rendered (details left out: de-identified report)',
    })),
  };
}
