/**
 * A zip's central directory spilled to a temporary file while the entries are written (see
 * src/synth/storedZipWriter.ts): the CLI's `make-dataset` then holds one 1 MiB buffer, whatever
 * the number of entries. The file is removed once read back, or when the archive is aborted.
 */
import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import type { CentralDirectoryStore } from '../synth/storedZipWriter';

export function fileCentralDirectory(path: string, bufferBytes = 1 << 20): CentralDirectoryStore {
  const fd = openSync(path, 'w');
  let open = true;
  const buf = new Uint8Array(bufferBytes);
  let used = 0;
  const flush = () => {
    for (let at = 0; at < used;) at += writeSync(fd, buf, at, used - at);
    used = 0;
  };
  return {
    append(record) {
      if (used + record.length > buf.length) flush();
      if (record.length > buf.length) for (let at = 0; at < record.length;) at += writeSync(fd, record, at, record.length - at);
      else {
        buf.set(record, used);
        used += record.length;
      }
    },
    async *read() {
      flush();
      closeSync(fd);
      open = false;
      for await (const chunk of createReadStream(path, { highWaterMark: bufferBytes })) yield chunk as Buffer;
    },
    dispose() {
      if (open) closeSync(fd);
      open = false;
      rmSync(path, { force: true });
    },
  };
}
