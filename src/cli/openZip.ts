/**
 * A zip on disk opened for random access (never read whole): its file entries by path, or an
 * error naming the flag and the path. The Kaggle archives are read this way, entry by entry.
 */
import { openAsBlob, statSync } from 'node:fs';
import { BlobReader, ZipReader, type FileEntry } from '@zip.js/zip.js';

export interface OpenZip {
  files: Map<string, FileEntry>;
  close(): Promise<void>;
}

export async function openZip(path: string, flag = 'data'): Promise<OpenZip> {
  let blob: Blob;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    blob = await openAsBlob(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(`cannot read --${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  const reader = new ZipReader(new BlobReader(blob), { useWebWorkers: false });
  const files = new Map<string, FileEntry>();
  try {
    for await (const e of reader.getEntriesGenerator()) if (!e.directory) files.set(e.filename, e);
  } catch (e) {
    await reader.close().catch(() => {});
    throw new Error(`${path} is not a readable zip: ${(e as Error).message}`, { cause: e });
  }
  return { files, close: () => reader.close().then(() => undefined) };
}
