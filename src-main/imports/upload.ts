/**
 * `POST /upload` on the web host: a browser cannot hand over the paths of
 * dropped files, so it sends their bytes. The body is a sequence of files,
 * each framed as
 *
 *   u32 LE  name length N (at most 1024)
 *   N bytes the file's name, UTF-8 (a label only: it never becomes a path as given)
 *   u64 LE  size S
 *   S bytes the file
 *
 * streamed into a fresh folder under `<dataDir>/uploads/` (never held whole in
 * memory), then imported as one job (copy mode: the folder is removed when
 * the job ends). The answer is the job as JSON. The web host checks the token
 * and the Origin before it calls this route.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { NormscopeError } from '../api/errors';
import type { ImportService } from './service';

export interface UploadLimits {
  /** bytes of one request body (all files and their framing) */
  maxBytes: number;
  maxFiles: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 8 * 1024 * 1024 * 1024,
  maxFiles: 100_000,
};

const MAX_NAME_BYTES = 1024;

export type UploadRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Where uploads are spooled inside a data directory. */
export function uploadsDir(dataDir: string): string {
  return join(dataDir, 'uploads');
}

/** `000042-brain_t1.dcm`: the index keeps names unique, the rest is the client's name cut to safe characters. */
function spoolName(index: number, clientName: string): string {
  const base = clientName.split(/[\\/]/).pop() ?? '';
  const safe = base
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return `${String(index).padStart(6, '0')}${safe ? `-${safe}` : ''}`;
}

/**
 * Writes the framed files of `body` into `dir`; returns how many. Throws a
 * NormscopeError (Refused for caps, InvalidRequest for bad framing).
 */
export async function spoolFramedFiles(
  body: AsyncIterable<Uint8Array>,
  dir: string,
  limits: UploadLimits,
): Promise<number> {
  let received = 0;
  let files = 0;
  // header bytes of the file being framed; null while its contents stream
  let header: Buffer = Buffer.alloc(0);
  let remaining = 0n;
  let handle: FileHandle | null = null;
  try {
    for await (const part of body) {
      received += part.byteLength;
      if (received > limits.maxBytes)
        throw new NormscopeError(
          'Refused',
          `upload larger than the cap of ${limits.maxBytes} bytes`,
        );
      let chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      while (chunk.length > 0) {
        if (handle) {
          const take = Number(remaining < BigInt(chunk.length) ? remaining : BigInt(chunk.length));
          await handle.write(chunk.subarray(0, take));
          remaining -= BigInt(take);
          chunk = chunk.subarray(take);
          if (remaining === 0n) {
            await handle.close();
            handle = null;
          }
          continue;
        }
        header = Buffer.concat([header, chunk]);
        chunk = Buffer.alloc(0);
        if (header.length < 4) continue;
        const nameLength = header.readUInt32LE(0);
        if (nameLength > MAX_NAME_BYTES)
          throw new NormscopeError(
            'InvalidRequest',
            `upload framing: a name of ${nameLength} bytes (at most ${MAX_NAME_BYTES})`,
          );
        if (header.length < 4 + nameLength + 8) continue;
        const name = header.subarray(4, 4 + nameLength).toString('utf8');
        remaining = header.readBigUInt64LE(4 + nameLength);
        if (remaining > BigInt(limits.maxBytes))
          throw new NormscopeError(
            'Refused',
            `upload of a ${remaining} byte file, larger than the cap of ${limits.maxBytes} bytes`,
          );
        if (++files > limits.maxFiles)
          throw new NormscopeError('Refused', `upload of more than ${limits.maxFiles} files`);
        chunk = header.subarray(4 + nameLength + 8);
        header = Buffer.alloc(0);
        handle = await open(join(dir, spoolName(files, name)), 'wx');
        if (remaining === 0n) {
          await handle.close();
          handle = null;
        }
      }
    }
    if (handle || header.length > 0)
      throw new NormscopeError('InvalidRequest', 'upload ended in the middle of a file');
    return files;
  } finally {
    await handle?.close();
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

const STATUS_OF: Record<string, number> = { Refused: 413, InvalidRequest: 400 };

/** The route the web host calls for an authorised `POST /upload`. */
export function createUploadRoute(options: {
  imports: ImportService;
  dataDir: string;
  limits?: Partial<UploadLimits>;
}): UploadRoute {
  const limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
  return async (req, res) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      answer(res, 413, {
        name: 'Refused',
        message: `upload of ${declared} bytes, larger than the cap of ${limits.maxBytes}`,
      });
      // the client may still be sending: do not read it, close once answered
      res.on('finish', () => req.destroy());
      return;
    }
    const dir = join(uploadsDir(options.dataDir), randomBytes(8).toString('hex'));
    try {
      await mkdir(dir, { recursive: true });
      const files = await spoolFramedFiles(req, dir, limits);
      if (files === 0) throw new NormscopeError('InvalidRequest', 'the upload holds no files');
      const job = options.imports.start({
        paths: [dir],
        mode: 'copy',
        uploadDir: dir,
        title: `Import of ${files} uploaded file${files === 1 ? '' : 's'}`,
      });
      answer(res, 200, job);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      const name = err instanceof NormscopeError ? err.name : 'Internal';
      const message = err instanceof Error ? err.message : String(err);
      answer(res, STATUS_OF[name] ?? 500, { name, message });
      if (!req.complete) res.on('finish', () => req.destroy());
    }
  };
}
