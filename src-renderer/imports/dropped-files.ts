/**
 * The files of a drop, folders walked recursively (browsers hand a dropped
 * folder over as a FileSystemDirectoryEntry, not as its files).
 */
import type { NamedFile } from './upload';

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** All children of a folder: readEntries answers in batches until an empty one. */
async function childrenOf(entry: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = entry.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function collect(entry: FileSystemEntry, prefix: string, out: NamedFile[]): Promise<void> {
  const name = `${prefix}${entry.name}`;
  if (entry.isFile) out.push({ name, file: await fileOf(entry as FileSystemFileEntry) });
  else if (entry.isDirectory) {
    for (const child of await childrenOf(entry as FileSystemDirectoryEntry))
      await collect(child, `${name}/`, out);
  }
}

/** The dropped files with their paths inside dropped folders as names. */
export async function droppedFiles(transfer: DataTransfer): Promise<NamedFile[]> {
  // entries must be taken synchronously, before the drop event's data store closes
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) return [...transfer.files].map((file) => ({ name: file.name, file }));
  const out: NamedFile[] = [];
  for (const entry of entries) await collect(entry, '', out);
  return out;
}

/** Whether a drag carries files (not text or a link dragged out of the page). */
export function carriesFiles(transfer: DataTransfer | null): boolean {
  return transfer !== null && [...transfer.types].includes('Files');
}
