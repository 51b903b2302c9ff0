/**
 * The files a user dropped, seen as one list of entries with paths: zip archives are read by
 * random access over the File with @zip.js/zip.js (never loaded whole), folders file by file.
 * Entries are listed twice (index, then import) so no per-entry reader objects are kept. Stored
 * and deflated entries are read by ZipRangeReader (ranges of the File, read ahead in windows);
 * anything else (encrypted, other methods, split archives) through zip.js's getData.
 */
import { BlobReader, Uint8ArrayWriter, ZipReader, configure } from '@zip.js/zip.js';
import type { ImportSource, ZipReads } from './importRequest';
import { rangeReadable, ZipRangeReader } from './zipRanges';

// We already run in a worker and PNG entries are barely compressed: no nested zip.js workers.
configure({ useWebWorkers: false });

export interface SourceEntry {
  source: string;
  path: string;
  /** declared uncompressed size */
  size: number;
  compressedSize: number;
  read(): Promise<Uint8Array>;
}

export class SourceError extends Error {}

export const sourceName = (s: ImportSource) => (s.kind === 'file' ? s.file.name : s.name);
export const sourceSize = (s: ImportSource) => (s.kind === 'file' ? s.file.size : s.files.reduce((a, f) => a + f.file.size, 0));

const isZipName = (name: string) => /\.zip$/i.test(name);

/** Yields every entry of a source. A non-zip single file is one entry named after itself. */
export async function* sourceEntries(source: ImportSource, zipReads: ZipReads = 'ranges'): AsyncGenerator<SourceEntry> {
  if (source.kind === 'folder') {
    for (const { path, file } of source.files) {
      yield { source: source.name, path, size: file.size, compressedSize: file.size, read: async () => new Uint8Array(await file.arrayBuffer()) };
    }
    return;
  }
  const { file } = source;
  if (!isZipName(file.name)) {
    if (/\.csv$/i.test(file.name)) {
      yield { source: file.name, path: file.name, size: file.size, compressedSize: file.size, read: async () => new Uint8Array(await file.arrayBuffer()) };
      return;
    }
    throw new SourceError(`${file.name} is not a zip archive or a CSV file: drop the Kaggle train.zip / test.zip, a folder, or train.csv`);
  }
  const reader = new ZipReader(new BlobReader(file));
  const ranges = new ZipRangeReader(file);
  try {
    let generator: AsyncGenerator<import('@zip.js/zip.js').Entry, boolean>;
    try {
      generator = reader.getEntriesGenerator();
    } catch (e) {
      throw new SourceError(`${file.name} is not a readable zip archive (${(e as Error).message})`);
    }
    while (true) {
      let next: IteratorResult<import('@zip.js/zip.js').Entry, boolean>;
      try {
        next = await generator.next();
      } catch (e) {
        throw new SourceError(`${file.name} is not a zip archive or is corrupt (${(e as Error).message})`);
      }
      if (next.done) break;
      const entry = next.value;
      if (entry.directory) continue;
      yield {
        source: file.name,
        path: entry.filename,
        size: entry.uncompressedSize,
        compressedSize: entry.compressedSize,
        read: async () => {
          try {
            return zipReads === 'ranges' && rangeReadable(entry) ? await ranges.read(entry) : await entry.getData!(new Uint8ArrayWriter());
          } catch (e) {
            throw new SourceError(`${file.name}: entry ${entry.filename} cannot be read (${(e as Error).message})`);
          }
        },
      };
    }
  } finally {
    await reader.close();
  }
}
