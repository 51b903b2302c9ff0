/** Turns a drop or a picker selection into import sources: zip/CSV files, and folders with their paths. */
import type { ImportSource } from '../../worker/protocol';

type Entry = FileSystemEntry;

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = dir.createReader();
  const all: Entry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: Entry, prefix: string, out: { path: string; file: File }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ path: prefix + entry.name, file });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

export async function sourcesFromDrop(dt: DataTransfer): Promise<ImportSource[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is Entry => !!e);
  if (!entries.length) return [...dt.files].map((file) => ({ kind: 'file', file }));
  const sources: ImportSource[] = [];
  for (const e of entries) {
    if (e.isDirectory) {
      const files: { path: string; file: File }[] = [];
      await walk(e, '', files);
      sources.push({ kind: 'folder', name: e.name, files });
    } else {
      sources.push({ kind: 'file', file: await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej)) });
    }
  }
  return sources;
}

/** Files from an <input webkitdirectory>: grouped into one folder source named after the top folder. */
export function sourcesFromFolderInput(files: FileList): ImportSource[] {
  const list = [...files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  const name = list[0]?.path.split('/')[0] ?? 'folder';
  return list.length ? [{ kind: 'folder', name, files: list }] : [];
}
