/**
 * Backbone features of stored frames, computed once and kept (issue 5): float16
 * in the content store, found through the feature_cache table by a key over
 * the DICOM file's bytes, the frame, the backbone's sha256 and the full
 * preprocessing spec (its version included). Missing frames are computed in
 * the supervised worker (worker-tasks.ts 'engine.features'); what is returned
 * is always the float16-rounded value, so a cached and a fresh call agree
 * exactly. Training and scoring both read features through here.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { NormscopeError } from '../api/errors';
import { readSettings } from '../core/handlers/settings';
import { throwIfCancelled } from '../jobs/cancellation';
import type { WorkerSupervisor } from '../jobs/supervisor';
import { decodeFloat16, encodeFloat16, float16BitsFromBytes, float16BitsToBytes } from '../ml/float16';
import type { PreprocessingSpec } from '../ml/preprocess';
import { canonicalJson } from '../store/canonical-json';
import { FeatureCacheRepository } from '../store/repositories/feature-cache-repository';
import type { FeatureCacheEntry } from '../store/repositories/feature-cache-repository';
import type { Backbone } from '../store/repositories/models-repository';
import type { Store } from '../store/store';
import { backboneManifest, backboneModelPath, manifestAtSize } from './backbone-manifest';
import type { SessionPreference } from './session-cache';
import { sessionPreference } from './session-preference';
import type { RanWith } from './worker-tasks';
import {
  BACKBONE_BATCH,
  ENGINE_WORKER_MEMORY_MB,
  engineTimeoutMs,
  FRAMES_PER_TASK,
} from './worker-limits';

/** A frame of a DICOM file: its copy in the content store (sha256), or a file referenced in place (path). */
export interface FrameRef {
  file: { sha256: string } | { path: string };
  /** 0-based */
  frame: number;
}

/** Features of one frame as the cache keeps them (float16-rounded values). */
export interface CachedFeatures {
  /** [channels, gridH, gridW] float32 */
  features: Float32Array;
  /** [gridH, gridW], 1 = foreground patch */
  foreground: Uint8Array;
  channels: number;
  gridH: number;
  gridW: number;
}

export interface FeatureOptions {
  backbone: Backbone;
  spec: PreprocessingSpec;
  signal?: AbortSignal;
  /** frames ready so far (cached or computed) of `total` */
  onProgress?: (done: number, total: number) => void;
  /** default: the settings' provider and threads */
  session?: SessionPreference;
}

export interface FeaturesResult {
  frames: CachedFeatures[];
  /** frames computed by this call (the rest came from the cache) */
  computed: number;
  /** provider and threads of the backbone runs, null when everything was cached */
  ranWith: RanWith | null;
}

type FeatureCore = { store: Store; workers: WorkerSupervisor };

const repositories = new WeakMap<Store, FeatureCacheRepository>();

function cacheOf(store: Store): FeatureCacheRepository {
  let repository = repositories.get(store);
  if (!repository) {
    repository = new FeatureCacheRepository(store.db);
    repositories.set(store, repository);
  }
  return repository;
}

/** sha256 of files referenced in place, by path, while their size and modification time stay the same */
const MAX_HASHED_FILES = 100_000;
const hashedFiles = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

async function hashFile(path: string): Promise<string> {
  const failed = (err: unknown): NormscopeError =>
    new NormscopeError('Unavailable', `cannot read DICOM file ${path}: ${(err as Error).message}`);
  const info = await stat(path).catch((err: unknown) => {
    throw failed(err);
  });
  const known = hashedFiles.get(path);
  if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.sha256;
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    throw failed(err);
  }
  const sha256 = hash.digest('hex');
  // bounded: forgetting only costs a re-hash
  if (hashedFiles.size >= MAX_HASHED_FILES) hashedFiles.clear();
  hashedFiles.set(path, { size: info.size, mtimeMs: info.mtimeMs, sha256 });
  return sha256;
}

/** The file's path and the sha256 of its bytes (hashed when referenced in place, since it may have changed). */
async function resolveFile(store: Store, ref: FrameRef): Promise<{ path: string; sha256: string }> {
  if ('sha256' in ref.file) {
    const path = store.files.pathOf(ref.file.sha256);
    if (!store.files.has(ref.file.sha256)) {
      throw new NormscopeError(
        'Unavailable',
        `the stored DICOM file ${ref.file.sha256} is missing from the content store`,
      );
    }
    return { path, sha256: ref.file.sha256 };
  }
  return { path: ref.file.path, sha256: await hashFile(ref.file.path) };
}

/** The cache key of a frame: sha256 over everything that determines its features. */
export function featureKey(
  fileSha256: string,
  frame: number,
  backboneSha256: string,
  spec: PreprocessingSpec,
): string {
  return createHash('sha256')
    .update(
      canonicalJson({ file: fileSha256, frame, backbone: backboneSha256, preprocessing: spec }),
    )
    .digest('hex');
}

async function readCached(store: Store, entry: FeatureCacheEntry): Promise<CachedFeatures | null> {
  let bytes: Buffer;
  try {
    bytes = await store.files.read(entry.featuresSha256);
  } catch (err) {
    // a blob removed behind the index (a clear running at the same time) is a miss, not a failure
    if (err instanceof NormscopeError && err.name === 'NotFound') return null;
    throw err;
  }
  const expected = entry.channels * entry.gridH * entry.gridW;
  if (bytes.byteLength !== 2 * expected) return null;
  return {
    features: decodeFloat16(float16BitsFromBytes(bytes, expected)),
    foreground: entry.foreground,
    channels: entry.channels,
    gridH: entry.gridH,
    gridW: entry.gridW,
  };
}

/**
 * Features and foreground masks of `items`, in order: from the cache where
 * present, else computed in the worker (in tasks of a few frames, so a cancel
 * through `signal` takes effect promptly) and cached.
 * Throws Cancelled, WorkerFailed (the worker crashed or ran out of time or
 * memory), Refused (NaN/Inf features), InvalidRequest (a frame that cannot be
 * decoded or preprocessed; the message names the file).
 */
export async function getFrameFeatures(
  core: FeatureCore,
  items: readonly FrameRef[],
  options: FeatureOptions,
): Promise<FeaturesResult> {
  const { store, workers } = core;
  const manifest = manifestAtSize(backboneManifest(options.backbone), options.spec);
  const cache = cacheOf(store);
  const results: Array<CachedFeatures | null> = new Array(items.length).fill(null);
  const missing: Array<{
    index: number;
    path: string;
    fileSha256: string;
    key: string;
    frame: number;
  }> = [];
  let done = 0;
  for (const [index, item] of items.entries()) {
    throwIfCancelled(options.signal, 'feature extraction');
    const file = await resolveFile(store, item);
    const key = featureKey(file.sha256, item.frame, options.backbone.sha256, options.spec);
    const entry = cache.get(key);
    const cached = entry ? await readCached(store, entry) : null;
    if (cached) {
      results[index] = cached;
      done += 1;
    } else {
      missing.push({ index, path: file.path, fileSha256: file.sha256, key, frame: item.frame });
    }
  }
  options.onProgress?.(done, items.length);

  let ranWith: RanWith | null = null;
  if (missing.length > 0) {
    const backbone = {
      path: await backboneModelPath(store, options.backbone),
      sha256: options.backbone.sha256,
      manifest,
    };
    const session = options.session ?? sessionPreference(readSettings(store));
    for (let start = 0; start < missing.length; start += FRAMES_PER_TASK) {
      throwIfCancelled(options.signal, 'feature extraction');
      const chunk = missing.slice(start, start + FRAMES_PER_TASK);
      const output = await workers.run(
        'engine.features',
        {
          backbone,
          spec: options.spec,
          frames: chunk.map((m) => ({ path: m.path, frame: m.frame })),
          session,
          batchSize: BACKBONE_BATCH,
        },
        {
          timeoutMs: engineTimeoutMs(chunk.length),
          memoryMb: ENGINE_WORKER_MEMORY_MB,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (fraction) =>
            options.onProgress?.(done + Math.floor((fraction ?? 0) * chunk.length), items.length),
        },
      );
      ranWith = {
        provider: output.provider,
        ortVersion: output.ortVersion,
        intraOpThreads: output.intraOpThreads,
      };
      const entries: FeatureCacheEntry[] = [];
      for (const [offset, m] of chunk.entries()) {
        const bits = encodeFloat16(output.features[offset]!);
        const blob = await store.files.put(float16BitsToBytes(bits));
        const foreground = output.foreground[offset]!;
        entries.push({
          key: m.key,
          fileSha256: m.fileSha256,
          frame: m.frame,
          backboneSha256: options.backbone.sha256,
          preprocessingVersion: String(options.spec.version),
          channels: manifest.embedDim,
          gridH: manifest.grid,
          gridW: manifest.grid,
          featuresSha256: blob.sha256,
          foreground,
        });
        results[m.index] = {
          features: decodeFloat16(bits),
          foreground,
          channels: manifest.embedDim,
          gridH: manifest.grid,
          gridW: manifest.grid,
        };
      }
      cache.putAll(entries);
      done += chunk.length;
      options.onProgress?.(done, items.length);
    }
  }
  return { frames: results as CachedFeatures[], computed: missing.length, ranWith };
}

/** Features of `items` as [channels, grid, grid] float32 (float16-rounded), in order; see getFrameFeatures. */
export async function getFeatures(
  core: FeatureCore,
  items: readonly FrameRef[],
  options: FeatureOptions,
): Promise<Float32Array[]> {
  return (await getFrameFeatures(core, items, options)).frames.map((frame) => frame.features);
}

/** Entries in the feature cache and the bytes of their blobs. */
export function featureCacheStats(core: { store: Store }): { entries: number; bytes: number } {
  return cacheOf(core.store).stats();
}

/**
 * Empties the feature cache: the index rows go in one transaction, then the
 * blob files are removed. Not audited: features are recomputed identically
 * on demand, so no result or decision changes. Returns what was freed.
 */
export async function clearFeatureCache(core: {
  store: Store;
}): Promise<{ entries: number; bytes: number }> {
  const { store } = core;
  const cache = cacheOf(store);
  const { freed, blobs } = store.transaction(() => ({
    freed: cache.stats(),
    blobs: cache.clear(),
  }));
  for (const sha of blobs) await store.files.remove(sha);
  return freed;
}
