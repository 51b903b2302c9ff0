/**
 * Whole small zips in memory (a model package, a run report): every file's bytes by name, or an
 * error naming the zip and, for a damaged entry, the entry. Large archives (the Kaggle zips) are
 * read entry by entry instead (src/data/sources.ts, src/cli/openZip.ts).
 */
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter, type FileEntry } from '@zip.js/zip.js';

export interface ReadZipOptions {
  /** how an entry's path becomes its name: as stored, without one folder all entries share, or the file name alone */
  names?: 'as-stored' | 'strip-common-folder' | 'basename';
  /** the error type to throw (its message names `file`) */
  fail?: (message: string) => Error;
}

/** Every file of the zip `bytes` (called `file` in messages), name → bytes, CRC-checked. */
export async function readZipFiles(bytes: Uint8Array, file: string, o: ReadZipOptions = {}): Promise<Map<string, Uint8Array>> {
  const fail = o.fail ?? ((m: string) => new Error(m));
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false, useCompressionStream: false });
  try {
    let entries: FileEntry[];
    try {
      entries = (await reader.getEntries()).filter((e): e is FileEntry => !e.directory);
    } catch (e) {
      throw fail(`${file} is truncated or not a zip (${(e as Error).message})`);
    }
    const paths = entries.map((e) => e.filename);
    const first = paths[0]?.split('/')[0];
    const common = o.names === 'strip-common-folder' && paths.length && paths.every((n) => n.includes('/') && n.split('/')[0] === first) ? `${first}/` : '';
    const files = new Map<string, Uint8Array>();
    for (const e of entries) {
      const name = o.names === 'basename' ? e.filename.replace(/^.*\//, '') : e.filename.slice(common.length);
      try {
        files.set(name, await e.getData(new Uint8ArrayWriter(), { checkSignature: true }));
      } catch (err) {
        throw fail(`${file} is corrupt: entry ${e.filename} cannot be read (${(err as Error).message})`);
      }
    }
    return files;
  } finally {
    await reader.close().catch(() => {});
  }
}

/** A zip of `files` in their order; `level` per file name (zip.js's default where it says none), a fixed date so equal inputs give equal bytes. */
export async function writeZipFiles(
  files: Iterable<[string, Uint8Array]>,
  o: { lastModDate?: Date; level?: (name: string) => number | undefined } = {},
): Promise<Uint8Array> {
  const writer = new Uint8ArrayWriter();
  const zip = new ZipWriter(writer, {
    useWebWorkers: false,
    useCompressionStream: false,
    keepOrder: true,
    extendedTimestamp: false,
    lastModDate: o.lastModDate,
  });
  for (const [name, bytes] of files) {
    const level = o.level?.(name);
    await zip.add(name, new Uint8ArrayReader(bytes), level === undefined ? {} : { level });
  }
  await zip.close();
  return writer.getData();
}
