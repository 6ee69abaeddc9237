/**
 * The host-agnostic composition root: one Core per process, built the same way
 * for the Electron shell, the web host and the CLI. It opens the store, starts
 * the job manager and binds every method of the contract to its handler; hosts
 * only carry requests to `dispatch` and events from `events`.
 */
import { createDispatcher, type Dispatch, type Handlers } from '../api/dispatch';
import { EventBus } from '../api/event-bus';
import { JobManager } from '../jobs/job-manager';
import { WorkerSupervisor } from '../jobs/supervisor';
import type { SpawnWorker } from '../jobs/worker-protocol';
import { engineFeatureProvider } from '../engine/feature-provider';
import { scoringResumer } from '../engine/scoring';
import { createTrainingService } from '../training/service';
import type { FeatureProvider } from '../training/features';
import { createReviewServices, type ReviewServices } from '../review/services';
import { createImportService, type ImportService } from '../imports/service';
import { uploadsDir } from '../imports/upload';
import { openStore, type Store } from '../store/store';
import { detectProviders } from './execution-provider';
import { appHandlers } from './handlers/app';
import { auditHandlers } from './handlers/audit';
import { pacsHandlers } from './handlers/pacs';
import { createPacsService } from '../pacs/service';
import { keyFileSecretStore, type SecretStore } from '../pacs/secret-store';
import { reportHandlers } from './handlers/reports';
import { ReportsService, workerDecoder } from '../reports/service';
import { engineHandlers } from './handlers/engine';
import { importHandlers } from './handlers/imports';
import { jobHandlers } from './handlers/jobs';
import { modelHandlers } from './handlers/models';
import { trainingHandlers } from './handlers/training';
import { reviewHandlers } from './handlers/review';
import { studiesHandlers } from './handlers/studies';
import { readSettings, settingsHandlers } from './handlers/settings';
import { demoHandlers } from './handlers/demo';
import { readModelSummary } from './model-summary';
import { packageVersion } from './package-info';
import type { CoreHost } from './types';

export type { CoreHost } from './types';

export interface CoreOptions {
  /** absolute data directory, already resolved by the host (see store/data-dir.ts) */
  dataDir: string;
  host: CoreHost;
  /**
   * How supervised workers are started; the Electron shell passes its
   * utilityProcess adapter, the others use the jobs module's fork default.
   */
  spawnWorker?: SpawnWorker;
  /** worker processes that may run at once (default 1: these machines have few cores) */
  maxWorkers?: number;
  /** the feature cache training reads; default the engine's (tests pass their own) */
  features?: FeatureProvider;
  /** where PACS secrets are sealed: the Electron shell passes its OS-keychain store; default the AES-GCM key file */
  secrets?: SecretStore;
}

export interface Core {
  readonly host: CoreHost;
  readonly dataDir: string;
  /** every request from every transport goes through here (validated, errors as values) */
  readonly dispatch: Dispatch;
  /** events for every connected window */
  readonly events: EventBus;
  readonly store: Store;
  readonly jobs: JobManager;
  /** runs native code on untrusted input (decoding, ONNX Runtime) in supervised worker processes */
  readonly workers: WorkerSupervisor;
  /** the viewer's decoded frames and anomaly maps (binary routes served by both hosts) */
  readonly review: ReviewServices;
  /** DICOM import jobs (the web host's upload route starts them too) */
  readonly imports: ImportService;
  /** Stops the work in flight (resumable at the next start), the workers, and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** ms that stopped runs get to reach a safe point before the store closes */
const SHUTDOWN_GRACE_MS = 3000;

async function shutDown(jobs: JobManager, workers: WorkerSupervisor, store: Store): Promise<void> {
  // stopped, not cancelled: running jobs keep their last checkpoint and state, so the
  // next start resumes those whose kind has a resumer (and marks the others interrupted)
  await jobs.shutdown(SHUTDOWN_GRACE_MS);
  await workers.dispose();
  store.close();
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const store = openStore({ dataDir: options.dataDir });
  try {
    const events = new EventBus();
    const jobs = new JobManager({ events, persistence: store.jobs });
    const workers = new WorkerSupervisor({ spawn: options.spawnWorker, maxWorkers: options.maxWorkers });
    const review = createReviewServices({ store, events, spawnWorker: options.spawnWorker });
    // nothing resumes a job interrupted by the last exit until a domain registers a resumer
    // for its kind here; without one the job is marked failed rather than left "running"
    const engine = { store, workers, jobs, events };
    const pacs = createPacsService({ ...engine, secrets: options.secrets ?? keyFileSecretStore(options.dataDir) });
    const training = createTrainingService({
      store,
      jobs,
      events,
      features: options.features ?? engineFeatureProvider(engine),
    });
    const imports = createImportService({ store, jobs, events, uploadsRoot: uploadsDir(options.dataDir) });
    jobs.recover({ train: training.resumer, retrieve: pacs.resumer, score: scoringResumer(engine), import: imports.resumer });

    const reports = new ReportsService({ store, jobs, decode: workerDecoder(workers), normscopeVersion: packageVersion() });

    const handlers: Handlers = {
      ...appHandlers({
        version: packageVersion(),
        host: options.host,
        dataDir: options.dataDir,
        models: () => readModelSummary(store),
        provider: detectProviders,
        settings: () => readSettings(store),
        database: () => ({ schemaVersion: store.schemaVersion, integrity: store.integrity }),
      }),
      ...jobHandlers(jobs),
      ...importHandlers(imports),
      ...settingsHandlers(store),
      ...trainingHandlers(store, training),
      ...modelHandlers(store),
      ...studiesHandlers(store, review),
      ...reviewHandlers(store, events),
      ...auditHandlers(store),
      ...reportHandlers(reports, jobs),
      ...engineHandlers(engine),
      ...pacsHandlers(pacs, jobs),
      ...demoHandlers({ dataDir: options.dataDir, store, jobs, events, dispatch: () => dispatch }),
    };

    const dispatch = createDispatcher(handlers);
    let closed: Promise<void> | null = null;
    return {
      host: options.host,
      dataDir: options.dataDir,
      dispatch,
      events,
      store,
      jobs,
      workers,
      review,
      imports,
      close: () => (closed ??= review.dispose().then(() => shutDown(jobs, workers, store))),
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
