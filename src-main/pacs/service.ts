/**
 * The PACS service behind `pacs.*` and `normscope pacs`: saved endpoints,
 * connection test, query and retrieval jobs (kind 'retrieve', pausable and
 * resumed after a restart for saved endpoints), and auto-scoring of what was
 * retrieved when the setting is on.
 */
import { z } from 'zod';
import type {
  PacsEndpointInput,
  PacsQuery,
  PacsStudyHit,
  PacsTestResult,
} from '../api/contract/pacs';
import { NormscopeError } from '../api/errors';
import type { EngineCore } from '../engine/context';
import { startScoring } from '../engine/scoring';
import type { JobManager, JobResumer, JobRun, StartedJob } from '../jobs/job-manager';
import { packageVersion } from '../core/package-info';
import type { Store } from '../store/store';
import {
  DicomwebSession,
  normaliseBaseUrl,
  type PacsConnection,
  type SessionTuning,
} from './dicomweb-session';
import {
  endpointConnection,
  listEndpoints,
  readPacsOptions,
  removeEndpoint,
  saveEndpoint,
  updatePacsOptions,
} from './endpoints';
import { pushResults, type PushOutcome } from './push';
import { queryStudies } from './query';
import { retrieveStudies, type RetrieveSummary } from './retrieve';
import type { SecretStore } from './secret-store';

export interface PacsServiceDeps {
  store: Store;
  jobs: JobManager;
  secrets: SecretStore;
  /**
   * Starts scoring of studies with the active model and returns the job id;
   * throws (Unavailable) when no model is active. Absent where no engine runs.
   */
  score?: (studyUids: string[]) => string;
  tuning?: SessionTuning;
}

/** Where to retrieve from: a saved endpoint, or a connection given for this call only (CLI --url). */
export type PacsTarget = { endpointId: string } | { connection: PacsConnection };

/** What a retrieval job stores to be resumed: never a secret. */
const RetrieveParams = z.object({
  endpointId: z.string().nullable(),
  baseUrl: z.string(),
  authKind: z.enum(['none', 'basic', 'bearer']),
  studyUids: z.array(z.string()).min(1),
});
type RetrieveParams = z.infer<typeof RetrieveParams>;

const TEST_TUNING: SessionTuning = { attempts: 1, timeoutMs: 10_000 };

export class PacsService {
  constructor(private readonly deps: PacsServiceDeps) {}

  get secretStorage(): { kind: SecretStore['kind']; description: string } {
    return { kind: this.deps.secrets.kind, description: this.deps.secrets.description };
  }

  listEndpoints() {
    return listEndpoints(this.deps.store);
  }

  saveEndpoint(input: PacsEndpointInput) {
    return saveEndpoint(this.deps.store, this.deps.secrets, input);
  }

  removeEndpoint(id: string): boolean {
    return removeEndpoint(this.deps.store, id);
  }

  options() {
    return readPacsOptions(this.deps.store);
  }

  updateOptions(patch: Parameters<typeof updatePacsOptions>[1]) {
    return updatePacsOptions(this.deps.store, patch);
  }

  connection(target: PacsTarget): PacsConnection {
    return 'endpointId' in target
      ? endpointConnection(this.deps.store, this.deps.secrets, target.endpointId).connection
      : { ...target.connection, baseUrl: normaliseBaseUrl(target.connection.baseUrl) };
  }

  session(target: PacsTarget, tuning: SessionTuning = {}): DicomwebSession {
    return new DicomwebSession(this.connection(target), { ...this.deps.tuning, ...tuning });
  }

  /** QIDO-RS /studies?limit=1: proves the URL, the DICOMweb service and the credentials. */
  async testConnection(target: PacsTarget): Promise<PacsTestResult> {
    const started = performance.now();
    try {
      const session = this.session(target, TEST_TUNING);
      await session.searchForStudies({ limit: '1' });
      const latencyMs = Math.round(performance.now() - started);
      return {
        ok: true,
        message: `Connected: ${new URL(this.connection(target).baseUrl).host} answered a study query (QIDO-RS) in ${latencyMs} ms`,
        errorName: null,
        latencyMs,
      };
    } catch (err) {
      if (!(err instanceof NormscopeError)) throw err;
      return { ok: false, message: err.message, errorName: err.name, latencyMs: null };
    }
  }

  async query(target: PacsTarget, query: PacsQuery, signal?: AbortSignal): Promise<PacsStudyHit[]> {
    const count = this.deps.store.db.prepare<[string], { n: number }>(
      `SELECT COUNT(*) AS n FROM instances i JOIN series s ON s.series_uid = i.series_uid WHERE s.study_uid = ?`,
    );
    return queryStudies(this.session(target), query, (uid) => count.get(uid)?.n ?? 0, signal);
  }

  /** Starts a retrieval job; validates the target before the job exists. */
  startRetrieve(target: PacsTarget, studyUids: string[]): StartedJob<RetrieveSummary> {
    const connection = this.connection(target);
    const params: RetrieveParams = {
      endpointId: 'endpointId' in target ? target.endpointId : null,
      baseUrl: connection.baseUrl,
      authKind: connection.auth.kind,
      studyUids: [...new Set(studyUids)],
    };
    let jobId: string | null = null;
    const started = this.deps.jobs.start<RetrieveSummary>({
      kind: 'retrieve',
      title: `Retrieve ${params.studyUids.length} stud${params.studyUids.length === 1 ? 'y' : 'ies'} from ${new URL(params.baseUrl).host}`,
      params,
      pausable: true,
      run: this.retrieveRun(params, connection, () => jobId),
    });
    jobId = started.id;
    return started;
  }

  /** Rebuilds a retrieval interrupted by a restart (saved endpoints, or servers without credentials). */
  readonly resumer: JobResumer = (stored) => {
    const params = RetrieveParams.parse(stored);
    let connection: PacsConnection;
    if (params.endpointId) connection = this.connection({ endpointId: params.endpointId });
    else if (params.authKind === 'none')
      connection = { baseUrl: params.baseUrl, auth: { kind: 'none' } };
    else {
      throw new NormscopeError(
        'Unavailable',
        'its credentials were given for that run only and are not stored; retrieve again (stored instances are skipped)',
      );
    }
    return { run: this.retrieveRun(params, connection, () => null), pausable: true };
  };

  private retrieveRun(
    params: RetrieveParams,
    connection: PacsConnection,
    jobId: () => string | null,
  ): JobRun<RetrieveSummary> {
    return async (ctx) => {
      const session = new DicomwebSession(connection, this.deps.tuning);
      const server = new URL(params.baseUrl).host;
      const summary = await retrieveStudies(this.deps.store, session, params.studyUids, ctx, {
        server,
        jobId: jobId(),
      });
      summary.scoring = this.autoScore(summary);
      const instances = summary.studies.reduce((n, s) => n + s.retrieved, 0);
      const failed = summary.studies.reduce((n, s) => n + s.failed.length, 0);
      ctx.progress.report(
        1,
        `Retrieved ${instances} instance(s) of ${summary.studies.length} stud${summary.studies.length === 1 ? 'y' : 'ies'}` +
          (failed ? `, ${failed} failed` : '') +
          (summary.scoring ? `; ${summary.scoring}` : ''),
      );
      return summary;
    };
  }

  /** Sends a study's scores (SR) and anomaly regions (SEG) by STOW-RS (refused while the push option is off; audited). */
  async pushResults(
    target: PacsTarget,
    studyUid: string,
    options: { deidentify: boolean },
  ): Promise<PushOutcome> {
    const connection = this.connection(target);
    return pushResults(this.deps.store, new DicomwebSession(connection, this.deps.tuning), {
      studyUid,
      deidentify: options.deidentify,
      allowed: readPacsOptions(this.deps.store).pushResults,
      server: new URL(connection.baseUrl).host,
      normscopeVersion: packageVersion(),
    });
  }

  /** null when auto-scoring is off; otherwise what happened, in words. */
  private autoScore(summary: RetrieveSummary): string | null {
    if (!readPacsOptions(this.deps.store).autoScore) return null;
    const complete = summary.studies
      .filter((s) => s.complete && s.instances > 0)
      .map((s) => s.studyUid);
    if (complete.length === 0) return 'not scored: no study was retrieved completely';
    if (!this.deps.score) return 'not scored: scoring is not available in this program';
    try {
      return `scoring started (job ${this.deps.score(complete)})`;
    } catch (err) {
      if (err instanceof NormscopeError) return `not scored: ${err.message}`;
      throw err;
    }
  }
}

/** The service with scoring wired to the engine (auto-score starts a 'score' job with the active model). */
export function createPacsService(
  deps: EngineCore & { secrets: SecretStore; tuning?: SessionTuning },
): PacsService {
  return new PacsService({
    store: deps.store,
    jobs: deps.jobs,
    secrets: deps.secrets,
    tuning: deps.tuning,
    score: (studyUids) => startScoring(deps, { studyUids }).id,
  });
}
