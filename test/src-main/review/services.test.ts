import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../../src-main/api/contract';
import { EventBus } from '../../../src-main/api/event-bus';
import { forkWorker } from '../../../src-main/jobs/fork-worker';
import { createReviewServices } from '../../../src-main/review/services';
import type { ReviewServices } from '../../../src-main/review/services';
import { openStore } from '../../../src-main/store/store';
import type { Store } from '../../../src-main/store/store';

const job = (kind: string, state: string) =>
  ({
    id: 'j',
    kind,
    title: 't',
    state,
    progress: null,
    message: '',
    error: null,
    pausable: false,
    createdAt: 'x',
    updatedAt: 'x',
  }) as never;

describe('createReviewServices', () => {
  let store: Store;
  let services: ReviewServices;
  afterEach(async () => {
    await services?.dispose();
    store?.close();
  });

  it('announces studies.changed when a PACS retrieval ends, whatever its outcome, and leaves imports and scoring to announce their own', () => {
    store = openStore({ memory: true });
    const events = new EventBus();
    services = createReviewServices({ store, events });
    const heard: Array<[EventName, unknown]> = [];
    events.subscribe((name, payload) => {
      if (name === 'studies.changed') heard.push([name, payload]);
    });
    events.publish('jobs.updated', job('retrieve', 'running'));
    events.publish('jobs.updated', job('train', 'succeeded'));
    events.publish('jobs.updated', job('import', 'succeeded'));
    events.publish('jobs.updated', job('score', 'succeeded'));
    expect(heard).toEqual([]);
    events.publish('jobs.updated', job('retrieve', 'succeeded'));
    events.publish('jobs.updated', job('retrieve', 'failed'));
    expect(heard.map(([, payload]) => (payload as { reason: string }).reason)).toEqual([
      'import',
      'import',
    ]);
  });

  it('starts its decode worker ahead of the first image when asked, once', () => {
    store = openStore({ memory: true });
    let spawned = 0;
    services = createReviewServices({
      store,
      events: new EventBus(),
      spawnWorker: (options) => {
        spawned += 1;
        return forkWorker(options);
      },
    });
    expect(spawned).toBe(0);
    services.warmDecoder();
    services.warmDecoder();
    expect(spawned).toBe(1);
  });
});
