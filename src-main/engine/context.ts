/**
 * What the engine's services need from the core. A narrower type than Core, so
 * createCore can hand the engine its parts (a job resumer is registered before
 * the Core object exists) and tests can pass a Core as it is.
 */
import type { EventBus } from '../api/event-bus';
import type { JobManager } from '../jobs/job-manager';
import type { WorkerSupervisor } from '../jobs/supervisor';
import type { Store } from '../store/store';

export interface EngineCore {
  readonly store: Store;
  readonly workers: WorkerSupervisor;
  readonly jobs: JobManager;
  readonly events: Pick<EventBus, 'publish'>;
}
