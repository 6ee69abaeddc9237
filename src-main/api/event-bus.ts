/**
 * Typed events from the core to every connected window. Each subscription
 * returns its unsubscribe (STYLE.md: explicit teardown).
 */
import type { EventName, EventPayload } from './contract';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EventSource {
  subscribe(listener: EventListener): () => void;
}

export class EventBus implements EventSource {
  private readonly listeners = new Set<EventListener>();

  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload);
      } catch (err) {
        // one broken window must not stop the others from hearing the event
        console.error(`event listener for ${event} failed:`, err);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
