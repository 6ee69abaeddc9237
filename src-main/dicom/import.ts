/**
 * DICOM import into the store: files, folders (recursive), zip archives and
 * DICOMDIRs. Each file is its own unit: its header is parsed up to the pixel
 * data (pixels are not decoded), the file is copied into the content store by
 * streamed hash, and its instance is written in its own savepoint; a file that
 * fails records an import error and leaves nothing behind. A few files are
 * read and copied at once and their rows committed in batches, so the fsyncs
 * of the copies overlap and one commit serves several files (a crash before a
 * commit leaves complete, unreferenced copies that a re-import adopts). Names from files
 * and archives are never used as paths: stored files are named by content hash.
 */
import { lstat, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, isAbsolute, resolve } from 'node:path';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { NormscopeError } from '../api/errors';
import type { Store } from '../store';
import type { InstanceUpsert, PatientSex } from '../store/repositories/studies-repository';
import type { DicomHeader } from './header';
import { parseDataset, parseDicomHeader } from './parse';
import type { ParseLimits, ParsedHeader } from './parse';
import { sliceNormal } from './series';

export interface ImportLimits extends ParseLimits {
  /** header bytes read before giving up on finding the pixel data */
  maxHeaderBytes: number;
  maxZipEntries: number;
  /** uncompressed size of one zip entry */
  maxZipEntryBytes: number;
  /** uncompressed / compressed size of one entry above which it is treated as a zip bomb */
  maxZipRatio: number;
  /**
   * files and zip entries up to this size are read into memory whole (one read
   * serves header, hash and copy); larger ones are streamed, so memory stays bounded
   */
  maxInMemoryBytes: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxPixelBytes: 2 * 1024 * 1024 * 1024,
  maxSequenceDepth: 64,
  maxHeaderBytes: 64 * 1024 * 1024,
  maxZipEntries: 100_000,
  maxZipEntryBytes: 1024 * 1024 * 1024,
  maxZipRatio: 200,
  maxInMemoryBytes: 8 * 1024 * 1024,
};

export interface ImportProgress {
  filesDone: number;
  filesTotal: number;
  imported: number;
  existing: number;
  failed: number;
  /** files per second since the import started */
  filesPerSecond: number;
}

export interface ImportFailure {
  /** the file, or `archive.zip › entry name` for a zip entry (a label, never opened as a path) */
  path: string;
  reason: string;
}

export interface ImportResult extends ImportProgress {
  /** sorted by path: files are read several at a time, so the order they fail in varies from run to run */
  failures: ImportFailure[];
  cancelled: boolean;
}

export interface ImportOptions {
  /** the job the import errors belong to */
  jobId?: string | null;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  limits?: Partial<ImportLimits>;
  /**
   * 'copy' (default) stores each file in the content store; 'reference'
   * records the file's absolute path instead and leaves it where it is (zip
   * entries have no path of their own and are always copied).
   */
  mode?: 'copy' | 'reference';
  /** called once per newly stored instance with its Study Instance UID (for the worklist and the audit trail) */
  onInserted?: (studyUid: string) => void;
}

const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';
/** files read and copied at once: their reads, hashes and fsyncs overlap */
const CONCURRENT_FILES = 4;
/** instances per database commit (each in its own savepoint); a crash loses at most these rows, never a file's integrity */
const COMMIT_BATCH = 16;
const FIRST_HEADER_READ = 256 * 1024;

/** Where an instance's bytes live: a content-store copy (sha256), or the original file (sourcePath). */
interface StoredFile {
  sha256: string | null;
  sourcePath: string | null;
  size: number;
}

/** One thing to import: a file on disk, or an entry of a zip archive. */
type Unit =
  | { kind: 'file'; path: string }
  | { kind: 'zip-entry'; zipPath: string; entryIndex: number; label: string };

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function readHead(
  path: string,
  length: number,
): Promise<{ bytes: Uint8Array; fileSize: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(Math.min(size, length));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return { bytes: bytes.subarray(0, bytesRead), fileSize: size };
  } finally {
    await handle.close();
  }
}

/** The whole file when it is at most `maxBytes` long, else undefined (it is then read in parts and streamed). */
async function readIfSmall(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return undefined;
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** Reads more of the file until its header parses (the pixel data tag is reached) or the cap is hit. */
async function parseFileHeader(
  path: string,
  limits: ImportLimits,
  label = path,
): Promise<{ parsed: ParsedHeader; fileSize: number }> {
  let length = FIRST_HEADER_READ;
  for (;;) {
    const { bytes, fileSize } = await readHead(path, length);
    try {
      return { parsed: parseDicomHeader(bytes, label, { fileSize, limits }), fileSize };
    } catch (err) {
      const whole = bytes.length >= fileSize;
      if (whole || !(err instanceof NormscopeError)) throw err;
      if (length >= limits.maxHeaderBytes)
        throw new NormscopeError(
          'InvalidRequest',
          `${label}: no pixel data within the first ${limits.maxHeaderBytes} bytes`,
        );
      length = Math.min(length * 4, limits.maxHeaderBytes, fileSize);
    }
  }
}

function isDicomdir(path: string, head: Uint8Array): boolean {
  if (/(^|[\\/])DICOMDIR$/i.test(path)) return true;
  const marker = new TextEncoder().encode(MEDIA_STORAGE_DIRECTORY);
  outer: for (let i = 132; i + marker.length <= Math.min(head.length, 1024); i++) {
    for (let j = 0; j < marker.length; j++) if (head[i + j] !== marker[j]) continue outer;
    return (
      head[i + marker.length] === 0 ||
      head[i + marker.length] === 0x20 ||
      i + marker.length === head.length
    );
  }
  return false;
}

/**
 * The files a DICOMDIR references (PS3.10 8.2, PS3.3 F.5): Referenced File ID
 * components are checked to be plain names (A-Z, 0-9, _) and the result must
 * stay inside the DICOMDIR's folder.
 */
async function dicomdirFiles(
  path: string,
  limits: ImportLimits,
): Promise<{ files: string[]; failures: ImportFailure[] }> {
  const { bytes } = await readHead(path, limits.maxHeaderBytes);
  const parsed = parseDataset(bytes, path, { limits });
  const root = dirname(resolve(path));
  const files: string[] = [];
  const failures: ImportFailure[] = [];
  for (const record of parsed.dataSet.elements['x00041220']?.items ?? []) {
    const ds = record.dataSet;
    const count = ds?.elements['x00041500'] ? (ds.string('x00041500') ?? '').split('\\').length : 0;
    if (!ds || count === 0) continue;
    const parts = Array.from({ length: count }, (_, i) => (ds.string('x00041500', i) ?? '').trim());
    const target = resolve(root, ...parts);
    const inside = relative(root, target);
    if (
      !parts.every((p) => /^[A-Za-z0-9_]{1,8}(\.[A-Za-z0-9_]{0,3})?$/.test(p)) ||
      inside.startsWith('..') ||
      isAbsolute(inside)
    ) {
      failures.push({
        path,
        reason: `${path}: DICOMDIR references an unsafe file ID '${parts.join('\\')}'`,
      });
      continue;
    }
    files.push(target);
  }
  return { files, failures };
}

async function walk(path: string, out: string[]): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return; // links could loop or leave the folder the user chose
  if (info.isFile()) {
    out.push(path);
    return;
  }
  if (!info.isDirectory()) return;
  const names = (await readdir(path)).sort();
  for (const name of names) await walk(join(path, name), out);
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolveZip, reject) =>
    // raw names: yauzl would reject a whole archive for one odd name, and names are only ever labels here
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false },
      (err, zip) => (err ? reject(err) : resolveZip(zip)),
    ),
  );
}

async function isZip(path: string): Promise<boolean> {
  const { bytes } = await readHead(path, 4);
  return (
    bytes.length === 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    bytes[2] === 0x03 &&
    bytes[3] === 0x04
  );
}

/** Lists a zip's entries (files only), refusing archives with too many entries. */
async function zipEntries(path: string, limits: ImportLimits): Promise<Unit[]> {
  const zip = await openZip(path);
  try {
    if (zip.entryCount > limits.maxZipEntries) {
      throw new NormscopeError(
        'Refused',
        `${path}: zip has ${zip.entryCount} entries, more than the cap of ${limits.maxZipEntries}`,
      );
    }
    const units: Unit[] = [];
    await new Promise<void>((done, reject) => {
      let index = 0;
      zip.on('entry', (entry: Entry) => {
        const name = Buffer.from(entry.fileName as unknown as Uint8Array).toString('utf8');
        if (!name.endsWith('/'))
          units.push({
            kind: 'zip-entry',
            zipPath: path,
            entryIndex: index,
            label: `${path} › ${name}`,
          });
        index++;
        zip.readEntry();
      });
      zip.on('end', () => done());
      zip.on('error', reject);
      zip.readEntry();
    });
    return units;
  } finally {
    zip.close();
  }
}

/**
 * Reads the entries of one archive after another without reopening it for
 * each: entries are imported in central-directory order, so the cursor only
 * moves forward (it reopens when asked for an earlier entry or another file).
 */
class ZipCursor {
  private zip: ZipFile | undefined;
  private path: string | undefined;
  private nextIndex = 0;

  async entry(path: string, index: number): Promise<{ zip: ZipFile; entry: Entry }> {
    if (this.path !== path || index < this.nextIndex || !this.zip) {
      this.close();
      this.zip = await openZip(path);
      this.path = path;
      this.nextIndex = 0;
    }
    const zip = this.zip;
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) throw new Error('entry vanished from the archive');
      if (this.nextIndex++ === index) return { zip, entry };
    }
  }

  close(): void {
    this.zip?.close();
    this.zip = undefined;
    this.path = undefined;
  }
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolveEntry, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry): void => {
      cleanup();
      resolveEntry(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolveEntry(undefined);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** A zip entry's bytes: in memory when small, else spilled to a temp file the caller removes. */
type EntryContent = { bytes: Uint8Array } | { spilled: string };

/** Reads one zip entry (by index) under the size and ratio caps, into memory or, when large, a temp file in `spillDir()`. */
async function readZipEntry(
  cursor: ZipCursor,
  unit: Extract<Unit, { kind: 'zip-entry' }>,
  limits: ImportLimits,
  spillDir: () => Promise<string>,
): Promise<EntryContent> {
  const { zip, entry } = await cursor.entry(unit.zipPath, unit.entryIndex);
  if (entry.uncompressedSize > limits.maxZipEntryBytes) {
    throw new NormscopeError(
      'Refused',
      `${unit.label}: entry of ${entry.uncompressedSize} bytes exceeds the cap of ${limits.maxZipEntryBytes}`,
    );
  }
  if (
    entry.compressedSize > 0 &&
    entry.uncompressedSize / entry.compressedSize > limits.maxZipRatio
  ) {
    throw new NormscopeError(
      'Refused',
      `${unit.label}: compression ratio above ${limits.maxZipRatio}:1, refused as a zip bomb`,
    );
  }
  const stream = await new Promise<NodeJS.ReadableStream>((ok, reject) =>
    zip.openReadStream(entry, (err, s) => (err ? reject(err) : ok(s))),
  );
  const tooLong = (): NormscopeError =>
    new NormscopeError('Refused', `${unit.label}: entry is longer than it declares`);
  if (entry.uncompressedSize > limits.maxInMemoryBytes) {
    const path = join(await spillDir(), `entry-${unit.entryIndex}`);
    const handle = await open(path, 'wx');
    try {
      let at = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (at + chunk.length > entry.uncompressedSize) throw tooLong();
        await handle.write(chunk);
        at += chunk.length;
      }
    } catch (err) {
      await handle.close();
      await rm(path, { force: true });
      throw err;
    }
    await handle.close();
    return { spilled: path };
  }
  const out = new Uint8Array(entry.uncompressedSize);
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (at + chunk.length > out.length) throw tooLong();
    out.set(chunk, at);
    at += chunk.length;
  }
  return { bytes: out };
}

/** `YYYYMMDD` to `YYYY-MM-DD`, or null for anything else. */
function isoDate(value: string | undefined): string | null {
  const m = value && /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

function isoTime(value: string | undefined): string | null {
  const m = value && /^(\d{2})(\d{2})?(\d{2})?(\.\d{1,6})?$/.exec(value);
  return m ? `${m[1]}:${m[2] ?? '00'}:${m[3] ?? '00'}${m[4] ?? ''}` : null;
}

/** The store rows for one instance; the header summary minus patient fields goes to `attributes` for the viewer. */
function toUpsert(
  h: DicomHeader,
  file: StoredFile,
  frameOfReferenceUid: string | undefined,
): InstanceUpsert {
  const sex =
    h.patientSex === 'M' || h.patientSex === 'F' || h.patientSex === 'O'
      ? (h.patientSex as PatientSex)
      : null;
  const normal = h.imageOrientationPatient ? sliceNormal(h.imageOrientationPatient) : undefined;
  const position = h.imagePositionPatient;
  const { patientName: _n, patientId: _i, patientBirthDate: _b, patientSex: _s, ...attributes } = h;
  return {
    patient: {
      patientId: h.patientId ?? '',
      name: h.patientName ?? null,
      birthDate: isoDate(h.patientBirthDate),
      sex,
    },
    study: {
      studyUid: h.studyInstanceUid,
      studyDate: isoDate(h.studyDate),
      studyTime: isoTime(h.studyTime),
      description: h.studyDescription ?? null,
      accessionNumber: h.accessionNumber ?? null,
    },
    series: {
      seriesUid: h.seriesInstanceUid,
      seriesNumber: h.seriesNumber ?? null,
      modality: h.modality || null,
      description: h.seriesDescription ?? null,
      frameOfReferenceUid: frameOfReferenceUid ?? null,
      orientation: h.imageOrientationPatient ?? null,
      spacing: h.pixelSpacing ? [...h.pixelSpacing, h.sliceThickness ?? 0] : null,
    },
    instance: {
      sopInstanceUid: h.sopInstanceUid,
      sopClassUid: h.sopClassUid,
      instanceNumber: h.instanceNumber ?? null,
      positionAlongNormal:
        normal && position
          ? position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2]
          : null,
      frames: h.numberOfFrames,
      rows: h.rows,
      columns: h.columns,
      transferSyntaxUid: h.transferSyntaxUid,
      fileSha256: file.sha256,
      sourcePath: file.sourcePath,
      fileSize: file.size,
      attributes: attributes as unknown as Record<string, unknown>,
    },
  };
}

function requireIdentity(h: DicomHeader, source: string): void {
  for (const [name, value] of [
    ['SOP Instance UID', h.sopInstanceUid],
    ['Study Instance UID', h.studyInstanceUid],
    ['Series Instance UID', h.seriesInstanceUid],
  ] as const) {
    if (!/^[0-9.]{1,64}$/.test(value))
      throw new NormscopeError('InvalidRequest', `${source}: missing or malformed ${name}`);
  }
}

/**
 * Imports files, folders (recursive), zip archives and DICOMDIRs into the
 * store. Re-importing an instance already stored is a no-op ('existing').
 * Failures are recorded in the store's import errors (path, reason) and
 * returned; the import goes on with the next file. Cancelling through
 * `signal` stops between files and returns what was done.
 */
export async function importDicom(
  store: Store,
  paths: readonly string[],
  options: ImportOptions = {},
): Promise<ImportResult> {
  const limits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  const jobId = options.jobId ?? null;
  const failures: ImportFailure[] = [];
  const units: Unit[] = [];
  const fail = (path: string, err: unknown): void => {
    const reason = reasonOf(err);
    failures.push({ path, reason });
    store.importErrors.record(jobId, path, reason);
  };

  for (const input of paths) {
    try {
      const files: string[] = [];
      await walk(input, files);
      const explicitFile = files.length === 1 && files[0] === input;
      for (const file of files) {
        const { bytes } = await readHead(file, 1024);
        if (await isZip(file)) units.push(...(await zipEntries(file, limits)));
        else if (isDicomdir(file, bytes)) {
          // inside a folder walk the referenced files are found anyway; given alone, the DICOMDIR leads to them
          if (!explicitFile) continue;
          const listed = await dicomdirFiles(file, limits);
          for (const f of listed.failures) fail(f.path, f.reason);
          units.push(...listed.files.map((path): Unit => ({ kind: 'file', path })));
        } else units.push({ kind: 'file', path: file });
      }
    } catch (err) {
      fail(
        input,
        err instanceof NormscopeError
          ? err
          : new NormscopeError('NotFound', `${input}: ${reasonOf(err)}`),
      );
    }
  }

  const hasInstance = store.db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM instances WHERE sop_instance_uid = ?',
  );
  const fileInUse = store.db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM instances WHERE file_sha256 = ? LIMIT 1',
  );
  const pathReferenced = store.db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM instances WHERE source_path = ? LIMIT 1',
  );
  const reference = options.mode === 'reference';
  const started = performance.now();
  const progress: ImportProgress = {
    filesDone: 0,
    filesTotal: units.length,
    imported: 0,
    existing: 0,
    failed: failures.length,
    filesPerSecond: 0,
  };

  const zipCursor = new ZipCursor();
  // large zip entries are spilled here, one at a time (made on first use)
  let spilled: Promise<string> | undefined;
  const spillDir = (): Promise<string> =>
    (spilled ??= mkdtemp(join(tmpdir(), 'normscope-zip-entry-')));
  try {
    return await importUnits();
  } finally {
    zipCursor.close();
    if (spilled) await rm(await spilled, { recursive: true, force: true });
  }

  /** One file read, checked and stored, waiting for its database row. */
  interface Prepared {
    label: string;
    header: DicomHeader;
    frameOfReference: string | undefined;
    file: StoredFile;
  }

  async function importUnits(): Promise<ImportResult> {
    let next = 0;
    let pending: Prepared[] = [];
    // stored files not yet committed, by sha: a failed one is removed only when no other holds it
    const held = new Map<string, number>();
    let zipTurn: Promise<unknown> = Promise.resolve();

    const hold = (sha: string | null, by: number): void => {
      if (sha) held.set(sha, (held.get(sha) ?? 0) + by);
    };
    const finished = (): void => {
      progress.filesDone++;
      progress.filesPerSecond =
        progress.filesDone / Math.max(1e-3, (performance.now() - started) / 1000);
      options.onProgress?.({ ...progress });
    };
    /** drops a stored file nobody refers to (the database refused it, or another file won its SOP Instance UID) */
    const dropIfUnused = async (sha: string | null): Promise<void> => {
      if (sha && !held.get(sha) && !fileInUse.get(sha))
        await store.files.remove(sha).catch(() => undefined);
    };
    const failed = async (label: string, err: unknown, sha: string | null): Promise<void> => {
      await dropIfUnused(sha);
      fail(label, err);
      progress.failed++;
      finished();
    };

    /** Zip entries are read one at a time: the cursor only moves forward, and one entry's bytes are in memory at once. */
    const inZipTurn = <T>(work: () => Promise<T>): Promise<T> => {
      const turn = zipTurn.then(work);
      zipTurn = turn.catch(() => undefined);
      return turn;
    };

    const prepare = async (unit: Unit, label: string): Promise<Prepared | 'existing'> => {
      if (unit.kind === 'file') {
        const sourcePath = resolve(unit.path);
        // a referenced file already in place needs no header read: resuming a large import stays cheap
        if (reference && pathReferenced.get(sourcePath)) return 'existing';
        if (!reference) {
          // most files are small: one read serves the header, the hash and the copy
          const whole = await readIfSmall(unit.path, limits.maxInMemoryBytes);
          if (whole) {
            const parsed = parseDicomHeader(whole, label, { fileSize: whole.length, limits });
            requireIdentity(parsed.header, label);
            if (hasInstance.get(parsed.header.sopInstanceUid)) return 'existing';
            const file: StoredFile = { ...(await store.files.put(whole)), sourcePath: null };
            return {
              label,
              header: parsed.header,
              frameOfReference: parsed.dataSet.string('x00200052'),
              file,
            };
          }
        }
        const { parsed, fileSize } = await parseFileHeader(unit.path, limits);
        const header = parsed.header;
        requireIdentity(header, label);
        if (hasInstance.get(header.sopInstanceUid)) return 'existing';
        const file: StoredFile = reference
          ? { sha256: null, sourcePath, size: fileSize }
          : { ...(await store.files.putFile(unit.path)), sourcePath: null };
        return { label, header, frameOfReference: parsed.dataSet.string('x00200052'), file };
      }
      return inZipTurn(async () => {
        const content = await readZipEntry(zipCursor, unit, limits, spillDir);
        if ('bytes' in content) {
          const { bytes } = content;
          const parsed = parseDicomHeader(bytes, label, { fileSize: bytes.length, limits });
          const header = parsed.header;
          requireIdentity(header, label);
          if (hasInstance.get(header.sopInstanceUid)) return 'existing';
          const file: StoredFile = { ...(await store.files.put(bytes)), sourcePath: null };
          return { label, header, frameOfReference: parsed.dataSet.string('x00200052'), file };
        }
        try {
          const { parsed } = await parseFileHeader(content.spilled, limits, label);
          requireIdentity(parsed.header, label);
          if (hasInstance.get(parsed.header.sopInstanceUid)) return 'existing';
          const stored = await store.files.putFile(content.spilled);
          const file: StoredFile = { ...stored, sourcePath: null };
          return {
            label,
            header: parsed.header,
            frameOfReference: parsed.dataSet.string('x00200052'),
            file,
          };
        } finally {
          await rm(content.spilled, { force: true });
        }
      });
    };

    /**
     * Writes the prepared instances in one commit (one fsync for the batch),
     * each in its own savepoint: a file the database refuses leaves nothing,
     * and the others of the batch are stored.
     */
    const commit = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      if (batch.length === 0) return;
      const outcomes: Array<{ item: Prepared; outcome?: 'inserted' | 'existing'; err?: unknown }> =
        [];
      try {
        store.transaction(() => {
          for (const item of batch) {
            try {
              const outcome = store.studies.upsertInstance(
                toUpsert(item.header, item.file, item.frameOfReference),
              );
              outcomes.push({ item, outcome });
            } catch (err) {
              outcomes.push({ item, err });
            }
          }
        });
      } catch (err) {
        // the commit itself failed (disk full, database locked): nothing of the batch is stored
        outcomes.splice(0, outcomes.length, ...batch.map((item) => ({ item, err })));
      }
      for (const { item } of outcomes) hold(item.file.sha256, -1);
      for (const { item, outcome, err } of outcomes) {
        if (outcome === 'inserted') {
          progress.imported++;
          options.onInserted?.(item.header.studyInstanceUid);
        } else if (outcome === 'existing') {
          // another file of this import carried the same SOP Instance UID and was stored first
          progress.existing++;
          await dropIfUnused(item.file.sha256);
        } else {
          await dropIfUnused(item.file.sha256);
          fail(item.label, err);
          progress.failed++;
        }
      }
    };

    const worker = async (): Promise<void> => {
      while (!options.signal?.aborted && next < units.length) {
        const unit = units[next++]!;
        const label = unit.kind === 'file' ? unit.path : unit.label;
        try {
          const prepared = await prepare(unit, label);
          if (prepared === 'existing') {
            progress.existing++;
            finished();
            continue;
          }
          hold(prepared.file.sha256, 1);
          pending.push(prepared);
          // done as far as the file goes; its row follows with the batch
          finished();
          if (pending.length >= COMMIT_BATCH) await commit();
        } catch (err) {
          await failed(label, err, null);
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: CONCURRENT_FILES }, worker));
    } finally {
      // what was copied before a cancel is stored too
      await commit();
    }
    const byPath = [...failures].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { ...progress, failures: byPath, cancelled: next < units.length };
  }
}
