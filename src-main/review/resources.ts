/**
 * The binary routes both hosts serve next to the page: `/frames/<sop>/<frame>`
 * and `/maps/<scoringRunId>/<sop>/<frame>`. One function, so the web host
 * (behind its token) and Electron's normscope:// protocol answer alike.
 * Identifiers are checked against strict patterns and looked up in the store;
 * they never become paths.
 */
import { NormscopeError, toErrorValue } from '../api/errors';
import type { FrameService } from './frames';
import { parseFrameIndex } from './uids';

export interface BinaryResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** Answers a request path (percent-encoded, query removed), or null when it is not one of these routes. */
export type BinaryResources = (path: string) => Promise<BinaryResponse | null>;

const STATUS_BY_ERROR: Record<string, number> = { InvalidRequest: 400, NotFound: 404, Refused: 403 };

function errorResponse(err: unknown): BinaryResponse {
  const value = toErrorValue(err);
  return {
    status: STATUS_BY_ERROR[value.name] ?? 500,
    contentType: 'application/json; charset=utf-8',
    body: new TextEncoder().encode(JSON.stringify({ name: value.name, message: value.message })),
  };
}

const OCTETS = 'application/octet-stream';

export function reviewResources(frames: FrameService): BinaryResources {
  return async (path) => {
    const parts = path.split('/');
    // ['', 'frames', sop, frame] or ['', 'maps', run, sop, frame]
    if (parts[0] !== '' || (parts[1] !== 'frames' && parts[1] !== 'maps')) return null;
    try {
      if (parts[1] === 'frames' && parts.length === 4) {
        const frame = parseFrameIndex(parts[3]!);
        if (frame === null) throw new NormscopeError('InvalidRequest', 'bad frame index');
        return { status: 200, contentType: OCTETS, body: await frames.readFrameBytes(parts[2]!, frame) };
      }
      if (parts[1] === 'maps' && parts.length === 5) {
        const frame = parseFrameIndex(parts[4]!);
        if (frame === null) throw new NormscopeError('InvalidRequest', 'bad frame index');
        return { status: 200, contentType: OCTETS, body: frames.readMapBytes(parts[2]!, parts[3]!, frame) };
      }
      throw new NormscopeError('NotFound', 'unknown binary route');
    } catch (err) {
      return errorResponse(err);
    }
  };
}
