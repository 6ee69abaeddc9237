/**
 * The review domain's services, built once per core: frame serving with its
 * own decode worker (so a long scoring or training task in the shared worker
 * never stalls the viewer), the binary routes, and the `studies.changed`
 * event when a PACS retrieval ends.
 */
import type { EventBus } from '../api/event-bus';
import { WorkerSupervisor } from '../jobs/supervisor';
import type { SpawnWorker } from '../jobs/worker-protocol';
import type { Store } from '../store/store';
import { FrameService } from './frames';
import type { BinaryResources } from './resources';
import { reviewResources } from './resources';

/** a decode should take milliseconds; a file that keeps a codec busy this long is refused */
const DECODE_TIMEOUT_MS = 30_000;
const DECODE_MEMORY_MB = 1024;
/**
 * A reader may spend many minutes on one study before opening the next; a decode
 * worker stopped meanwhile would make that next first image wait for a process
 * to start (about 0.3 s). One idle worker costs some 60 MB.
 */
const DECODE_IDLE_MS = 15 * 60_000;

export interface ReviewServices {
  frames: FrameService;
  resources: BinaryResources;
  /** starts the decode worker if it is not running, so the first image opened does not wait for it */
  warmDecoder(): void;
  /** stops the decode worker and the event forwarding */
  dispose(): Promise<void>;
}

export function createReviewServices(options: {
  store: Store;
  events: EventBus;
  spawnWorker?: SpawnWorker;
}): ReviewServices {
  const decoder = new WorkerSupervisor({
    spawn: options.spawnWorker,
    maxWorkers: 1,
    idleTimeoutMs: DECODE_IDLE_MS,
  });
  const frames = new FrameService(options.store, (input) =>
    decoder.run('dicom.decodeFrame', input, {
      timeoutMs: DECODE_TIMEOUT_MS,
      memoryMb: DECODE_MEMORY_MB,
    }),
  );
  // imports and scoring announce the studies they change themselves; a PACS retrieval stores
  // instances as they arrive, so its end (whatever the outcome) is when the worklist must look again
  const unsubscribe = options.events.subscribe((event, payload) => {
    if (event !== 'jobs.updated') return;
    const job = payload as { kind: string; state: string };
    if (job.kind === 'retrieve' && ['succeeded', 'failed', 'cancelled'].includes(job.state)) {
      options.events.publish('studies.changed', { reason: 'import', studyUids: [] });
    }
  });
  return {
    frames,
    resources: reviewResources(frames),
    warmDecoder: () => decoder.prewarm(DECODE_MEMORY_MB),
    dispose: async () => {
      unsubscribe();
      await decoder.dispose();
    },
  };
}
