/**
 * Fetches frame and map messages from the host's binary routes with a
 * priority list: the slice on screen first, then its neighbours outward. A
 * new list aborts fetches for slices no longer wanted (the user scrolled past),
 * like cornerstone3D's request pool. Decoded messages stay in a byte-bounded
 * LRU so scrolling back is instant.
 */
import { decodeFrameMessage } from '../../src-common/imaging/frame-format';
import type { FrameHeader, FrameValues } from '../../src-common/imaging/frame-format';

export interface LoadedFrame {
  header: FrameHeader;
  values: FrameValues;
}

/** parallel fetches: enough to hide latency, few enough that the visible slice is not starved */
const MAX_IN_FLIGHT = 4;
/** about 400 slices of 512x512 16-bit in the window's memory */
const CACHE_BYTES = 200 * 1024 * 1024;

interface InFlight {
  controller: AbortController;
  promise: Promise<LoadedFrame | null>;
}

export class FrameLoader {
  private readonly cache = new Map<string, LoadedFrame>();
  private cacheBytes = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private wanted: string[] = [];
  private readonly waiters = new Map<string, Array<(frame: LoadedFrame | null) => void>>();

  /** The decoded message if cached (marks it recently used). */
  peek(url: string): LoadedFrame | undefined {
    const hit = this.cache.get(url);
    if (hit) {
      this.cache.delete(url);
      this.cache.set(url, hit);
    }
    return hit;
  }

  /**
   * Replaces the wish list (most wanted first). Fetches for URLs not on it are
   * aborted; the list is worked through MAX_IN_FLIGHT at a time.
   */
  want(urls: readonly string[]): void {
    this.wanted = urls.filter((url) => !this.cache.has(url));
    const keep = new Set(urls);
    for (const [url, flight] of this.inFlight) {
      if (!keep.has(url)) {
        flight.controller.abort();
        this.inFlight.delete(url);
        this.settle(url, null);
      }
    }
    this.pump();
  }

  /** Resolves with the frame (null when it does not exist or was abandoned); puts it first in line. */
  load(url: string): Promise<LoadedFrame | null> {
    const hit = this.peek(url);
    if (hit) return Promise.resolve(hit);
    if (!this.inFlight.has(url)) this.wanted = [url, ...this.wanted.filter((u) => u !== url)];
    const promise = new Promise<LoadedFrame | null>((resolve) => {
      const list = this.waiters.get(url) ?? [];
      list.push(resolve);
      this.waiters.set(url, list);
    });
    this.pump();
    return promise;
  }

  private settle(url: string, frame: LoadedFrame | null): void {
    const list = this.waiters.get(url);
    this.waiters.delete(url);
    for (const resolve of list ?? []) resolve(frame);
  }

  private pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.wanted.length > 0) {
      const url = this.wanted.shift()!;
      if (this.cache.has(url) || this.inFlight.has(url)) continue;
      const controller = new AbortController();
      const promise = fetch(url, { signal: controller.signal, credentials: 'same-origin' })
        .then(async (response) => {
          if (!response.ok) return null;
          return decodeFrameMessage(await response.arrayBuffer());
        })
        .catch(() => null)
        .then((frame) => {
          if (this.inFlight.get(url)?.controller !== controller) return frame;
          this.inFlight.delete(url);
          if (frame) this.remember(url, frame);
          this.settle(url, frame);
          this.pump();
          return frame;
        });
      this.inFlight.set(url, { controller, promise });
    }
  }

  private remember(url: string, frame: LoadedFrame): void {
    this.cache.set(url, frame);
    this.cacheBytes += frame.values.byteLength;
    for (const [oldUrl, old] of this.cache) {
      if (this.cacheBytes <= CACHE_BYTES) break;
      this.cache.delete(oldUrl);
      this.cacheBytes -= old.values.byteLength;
    }
  }
}

export const frameUrl = (sopInstanceUid: string, frame: number): string => `/frames/${sopInstanceUid}/${frame}`;
export const mapUrl = (scoringRunId: string, sopInstanceUid: string, frame: number): string =>
  `/maps/${scoringRunId}/${sopInstanceUid}/${frame}`;
