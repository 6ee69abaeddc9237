/**
 * Decoded frames and anomaly maps for the viewer, as binary messages
 * (src-common/imaging/frame-format.ts). Frames are decoded in a supervised
 * worker (the files are untrusted) and the encoded messages kept in a small
 * LRU cache, so scrolling back over a series costs no decode; concurrent
 * requests for the same frame share one decode.
 */
import { existsSync } from 'node:fs';
import type { FrameHeader, PixelDtype } from '../../src-common/imaging/frame-format';
import { encodeFrameMessage } from '../../src-common/imaging/frame-format';
import { NormscopeError } from '../api/errors';
import type { Store } from '../store/store';
import type { DecodeFrameInput, DecodeFrameOutput } from './decode-frame-task';
import { ByteLruCache } from './lru-cache';
import { isDicomUid, isRunId } from './uids';

/** Runs `dicom.decodeFrame` in a worker (WorkerSupervisor.run bound to the task). */
export type DecodeInWorker = (input: DecodeFrameInput) => Promise<DecodeFrameOutput>;

/** default cache: about 500 frames of 512x512 16-bit */
const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

interface InstanceLocation {
  file_sha256: string | null;
  source_path: string | null;
  frames: number;
}

function dtypeOf(values: DecodeFrameOutput['values']): PixelDtype {
  if (values instanceof Uint8Array) return 'uint8';
  if (values instanceof Int8Array) return 'int8';
  if (values instanceof Uint16Array) return 'uint16';
  if (values instanceof Int16Array) return 'int16';
  if (values instanceof Int32Array) return 'int32';
  return 'uint32';
}

export class FrameService {
  private readonly cache: ByteLruCache<Uint8Array>;
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  private readonly selectInstance;

  constructor(
    private readonly store: Pick<Store, 'db' | 'files' | 'scoring'>,
    private readonly decode: DecodeInWorker,
    cacheBytes = DEFAULT_CACHE_BYTES,
  ) {
    this.cache = new ByteLruCache(cacheBytes);
    this.selectInstance = store.db.prepare<[string], InstanceLocation>(
      'SELECT file_sha256, source_path, frames FROM instances WHERE sop_instance_uid = ?',
    );
  }

  /**
   * One decoded frame (0-based) of a stored instance as a frame message: stored
   * values little-endian plus rows, columns, dtype, rescale, window,
   * photometric and spacing. NotFound for an unknown instance or frame,
   * InvalidRequest for a malformed UID, the worker's error when decoding fails.
   */
  readFrameBytes(sopInstanceUid: string, frame: number): Promise<Uint8Array> {
    if (!isDicomUid(sopInstanceUid)) throw new NormscopeError('InvalidRequest', 'not a DICOM UID');
    const key = `${sopInstanceUid}/${frame}`;
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const path = this.pathOf(sopInstanceUid, frame);
    const work = this.decode({ path, frame })
      .then((decoded) => {
        const header: FrameHeader = {
          rows: decoded.rows,
          columns: decoded.columns,
          dtype: dtypeOf(decoded.values),
          samples: decoded.samples,
          slope: decoded.slope,
          intercept: decoded.intercept,
          window: decoded.window,
          photometric: decoded.photometric,
          spacing: decoded.spacing,
        };
        const message = encodeFrameMessage(header, decoded.values);
        this.cache.set(key, message);
        return message;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** One frame's anomaly map of a scoring run as a frame message (dtype float16, the stored bit patterns). */
  readMapBytes(scoringRunId: string, sopInstanceUid: string, frame: number): Uint8Array {
    if (!isRunId(scoringRunId) || !isDicomUid(sopInstanceUid)) {
      throw new NormscopeError('InvalidRequest', 'not a scoring run id and DICOM UID');
    }
    const map = this.store.scoring.getMap(scoringRunId, sopInstanceUid, frame);
    if (!map) throw new NormscopeError('NotFound', `no anomaly map for frame ${frame} of that instance in that run`);
    return encodeFrameMessage(
      {
        rows: map.gridH,
        columns: map.gridW,
        dtype: 'float16',
        samples: 1,
        slope: 1,
        intercept: 0,
        window: null,
        photometric: 'MAP',
        spacing: null,
        imageScore: map.imageScore,
      },
      map.map,
    );
  }

  /** The file of an instance, from the store only; NotFound when the instance or frame is unknown. */
  private pathOf(sopInstanceUid: string, frame: number): string {
    const row = this.selectInstance.get(sopInstanceUid);
    if (!row) throw new NormscopeError('NotFound', 'no stored instance has that SOP Instance UID');
    if (frame >= row.frames) {
      throw new NormscopeError('NotFound', `frame ${frame} does not exist (the instance has ${row.frames})`);
    }
    if (row.file_sha256 !== null && this.store.files.has(row.file_sha256)) return this.store.files.pathOf(row.file_sha256);
    if (row.source_path !== null) {
      // imported in place (importMode 'reference'): the user's file may have moved since
      if (!existsSync(row.source_path)) {
        throw new NormscopeError(
          'NotFound',
          `the file this instance was imported from is gone: ${row.source_path} (moved or deleted after a reference-mode import; put it back or import it again)`,
        );
      }
      return row.source_path;
    }
    throw new NormscopeError('NotFound', 'the file of that instance is missing from the content store');
  }
}
