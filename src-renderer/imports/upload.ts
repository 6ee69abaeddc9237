/**
 * Files the browser holds (dropped or chosen) reach the host in one of two
 * ways. In Electron the preload tells each File's path on disk, and the
 * import reads them in place of any copy. In a browser the web host cannot
 * see the files, so their bytes go to `POST /upload` framed as
 * src-main/imports/upload.ts reads them: per file a u32 LE name length, the
 * UTF-8 name, a u64 LE size, the bytes. The body is a Blob of the Files
 * themselves, so the browser streams them from disk.
 */
import type { JobInfo } from '../../src-main/api/contract';
import { NormscopeError } from '../../src-main/api/errors';
import { toNormscopeError } from '../api/error-value';

/** A file with the name it should be reported under (its path inside a dropped folder). */
export interface NamedFile {
  name: string;
  file: File;
}

interface PathBridge {
  pathForFile(file: File): string;
}

function pathBridge(): PathBridge | null {
  const bridge = (window as { normscope?: Partial<PathBridge> }).normscope;
  return bridge && typeof bridge.pathForFile === 'function' ? (bridge as PathBridge) : null;
}

/** The files' paths on disk when the window is Electron's, else null (a browser never tells). */
export function pathsOfFiles(files: readonly File[]): string[] | null {
  const bridge = pathBridge();
  if (!bridge) return null;
  const paths = files.map((file) => bridge.pathForFile(file)).filter((path) => path.length > 0);
  return paths.length === files.length ? paths : null;
}

function frameHeader(name: string, size: number): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const head = new Uint8Array(4 + nameBytes.length + 8);
  const view = new DataView(head.buffer);
  view.setUint32(0, nameBytes.length, true);
  head.set(nameBytes, 4);
  view.setBigUint64(4 + nameBytes.length, BigInt(size), true);
  return head;
}

export function framedUpload(files: readonly NamedFile[]): Blob {
  return new Blob(
    files.flatMap(({ name, file }): BlobPart[] => [frameHeader(name, file.size), file]),
  );
}

/** Sends the files to the web host, which imports them as one job; resolves with that job. */
export async function uploadFiles(files: readonly NamedFile[]): Promise<JobInfo> {
  let response: Response;
  try {
    response = await fetch('/upload', {
      method: 'POST',
      body: framedUpload(files),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new NormscopeError(
      'Unavailable',
      `the upload did not reach the host: ${(err as Error).message}`,
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    throw toNormscopeError(
      body ?? { name: 'Internal', message: `the host answered ${response.status}` },
    );
  }
  return body as JobInfo;
}
