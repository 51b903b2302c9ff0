/**
 * Pixel storage of a dataset: every sample is one fixed-size slot of resolution² × 4 bytes,
 * interleaved R,G,B,Y (height × width × channel, ready to become a [s, s, 4] uint8 tensor).
 * Slots are packed into chunk files in the Origin Private File System, written through sync
 * access handles (dedicated workers only; ~100× faster random reads than IndexedDB blobs), or
 * into IndexedDB blob chunks where OPFS sync access is missing.
 */
import { BufferPool } from '../core/bufferPool';
import { deleteCatalogEntries, openCatalog, type DatasetRecord, type StorageKind } from './catalog';

/** The parts of FileSystemSyncAccessHandle we use (absent from TypeScript's DOM library). */
interface SyncAccessHandle {
  read(buffer: ArrayBufferView, options?: { at?: number }): number;
  write(buffer: ArrayBufferView, options?: { at?: number }): number;
  flush(): void;
  close(): void;
  getSize(): number;
  /** the lock mode, where the browser supports modes (Chromium 121+) */
  readonly mode?: string;
}
type SyncCapableFileHandle = FileSystemFileHandle & {
  createSyncAccessHandle(options?: { mode?: 'readwrite' | 'readwrite-unsafe' | 'read-only' }): Promise<SyncAccessHandle>;
};

const ROOT_DIR = 'hpa-studio';
const OPFS_CHUNK_BYTES = 256 * 1024 * 1024;
const IDB_CHUNK_BYTES = 16 * 1024 * 1024;
/** consecutive samples gathered into one OPFS write (16 samples at 256 px, 4 at 512 px) */
const WRITE_GROUP_BYTES = 4 * 1024 * 1024;

export const sampleBytes = (resolution: number) => resolution * resolution * 4;

export function slotsPerChunk(kind: StorageKind, resolution: number): number {
  return Math.max(1, Math.floor((kind === 'opfs' ? OPFS_CHUNK_BYTES : IDB_CHUNK_BYTES) / sampleBytes(resolution)));
}

/** True where OPFS files can be written through sync access handles (a dedicated worker in Chromium, Firefox, Safari). */
export async function opfsSyncAvailable(): Promise<boolean> {
  try {
    const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype;
    if (!proto || !('createSyncAccessHandle' in proto) || !navigator.storage?.getDirectory) return false;
    await navigator.storage.getDirectory();
    return true;
  } catch {
    return false;
  }
}

async function datasetDir(datasetId: string, create: boolean): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  const top = await root.getDirectoryHandle(ROOT_DIR, { create });
  return top.getDirectoryHandle(datasetId, { create });
}

const chunkName = (chunk: number) => `chunk-${String(chunk).padStart(5, '0')}.bin`;

export interface PixelWriter {
  write(slot: number, pixels: Uint8Array): Promise<void>;
  /** makes everything written so far durable */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openPixelWriter(ds: Pick<DatasetRecord, 'id' | 'storage' | 'resolution'>): Promise<PixelWriter> {
  return ds.storage === 'opfs' ? openOpfsWriter(ds) : openIdbWriter(ds);
}

async function openOpfsWriter(ds: Pick<DatasetRecord, 'id' | 'resolution'>): Promise<PixelWriter> {
  const dir = await datasetDir(ds.id, true);
  const per = slotsPerChunk('opfs', ds.resolution);
  const bytes = sampleBytes(ds.resolution);
  // Promises, not handles, are cached: two concurrent writes to a new chunk must share one
  // handle. 'readwrite-unsafe' (Chromium 121+; older browsers ignore it and lock the file) lets a
  // run or prediction keep reading this dataset's chunks while test images are appended.
  const handles = new Map<number, Promise<SyncAccessHandle>>();
  const handle = (chunk: number) => {
    let h = handles.get(chunk);
    if (!h) {
      h = dir.getFileHandle(chunkName(chunk), { create: true }).then((f) => (f as SyncCapableFileHandle).createSyncAccessHandle({ mode: 'readwrite-unsafe' }));
      handles.set(chunk, h);
    }
    return h;
  };
  // Samples arrive in slot order (the import hands out slots as samples finish): consecutive slots
  // are gathered and written with one call of up to WRITE_GROUP_BYTES. A new buffer per group: the
  // one being written is never touched again.
  const groupMax = Math.max(1, Math.floor(WRITE_GROUP_BYTES / bytes));
  let group: Uint8Array | null = null;
  let groupSlot = 0;
  let groupCount = 0;
  const drain = async () => {
    if (!groupCount) return;
    const data = group!.subarray(0, groupCount * bytes);
    const first = groupSlot;
    group = null;
    groupCount = 0;
    const h = await handle(Math.floor(first / per));
    const written = h.write(data, { at: (first % per) * bytes });
    // a short write is the quota running out (Chromium returns an error code as a huge unsigned count rather than throwing)
    if (written !== data.length)
      throw new DOMException(
        `storage wrote ${written > data.length ? 'none' : written} of ${data.length} bytes: the disk or the quota is full`,
        'QuotaExceededError',
      );
  };
  const write = async (slot: number, pixels: Uint8Array) => {
    if (pixels.length !== bytes) throw new Error(`sample has ${pixels.length} bytes, expected ${bytes}`);
    const follows = groupCount > 0 && slot === groupSlot + groupCount && slot % per !== 0;
    if (groupCount && !follows) await drain();
    if (!groupCount) {
      group = new Uint8Array(groupMax * bytes);
      groupSlot = slot;
    }
    group!.set(pixels, groupCount * bytes);
    if (++groupCount === groupMax) await drain();
  };
  const flush = async () => {
    await drain();
    for (const h of await Promise.all(handles.values())) h.flush();
  };
  const close = async () => {
    try {
      await drain();
    } finally {
      for (const h of await Promise.allSettled(handles.values())) {
        if (h.status === 'fulfilled') {
          h.value.flush();
          h.value.close();
        }
      }
      handles.clear();
    }
  };
  // one operation at a time, in the order called: a write must not join a group while another awaits its chunk's handle
  let tail: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(op: () => Promise<T>): Promise<T> => {
    const run = tail.then(op);
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    write: (slot, pixels) => inTurn(() => write(slot, pixels)),
    flush: () => inTurn(flush),
    close: () => inTurn(close),
  };
}

async function openIdbWriter(ds: Pick<DatasetRecord, 'id' | 'resolution'>): Promise<PixelWriter> {
  const db = await openCatalog();
  const per = slotsPerChunk('idb', ds.resolution);
  const bytes = sampleBytes(ds.resolution);
  let current = -1;
  let buffer: Uint8Array | null = null;
  let dirty = false;
  const persist = async () => {
    if (buffer && dirty) await db.put('pixelChunks', { datasetId: ds.id, chunk: current, blob: new Blob([buffer as Uint8Array<ArrayBuffer>]) });
    dirty = false;
  };
  const load = async (chunk: number) => {
    await persist();
    current = chunk;
    buffer = new Uint8Array(per * bytes);
    const existing = await db.get('pixelChunks', [ds.id, chunk]);
    if (existing) buffer.set(new Uint8Array(await existing.blob.arrayBuffer()).subarray(0, buffer.length));
  };
  return {
    async write(slot, pixels) {
      if (pixels.length !== bytes) throw new Error(`sample has ${pixels.length} bytes, expected ${bytes}`);
      const chunk = Math.floor(slot / per);
      if (chunk !== current) await load(chunk);
      buffer!.set(pixels, (slot % per) * bytes);
      dirty = true;
    },
    flush: persist,
    async close() {
      await persist();
      buffer = null;
    },
  };
}

export interface PixelReader {
  /** the slot's resolution² × 4 interleaved RGBY bytes */
  read(slot: number): Promise<Uint8Array>;
  /**
   * The slots' bytes one after another (a batch: [n, resolution, resolution, 4]), in a buffer given
   * back by recycle() where one of that size is waiting, else in a fresh one.
   */
  readMany(slots: ArrayLike<number>): Promise<Uint8Array>;
  /**
   * Gives back a batch from readMany once its bytes have been used (uploaded to the backend): a
   * later readMany of the same size reads into it. Its caller must not touch the bytes again. A
   * fresh buffer costs a page fault per 4 KB page at its first write: reading 32 samples of 256 px
   * into a fresh 8 MB buffer ran at ~10,000 samples/s against ~70,000 into a used one (Chromium,
   * a dedicated worker, 2-core EPYC, 2026-11-28). A view that is not its whole buffer is ignored.
   */
  recycle(batch: Uint8Array): void;
  /** 'sync': OPFS sync access handles read straight into the batch; 'blob': File slices */
  readonly via: 'sync' | 'blob';
  /** resolves once every storage handle it opened is closed */
  close(): Promise<void>;
}

/**
 * A sync access handle that does not lock the chunk against the writer or other readers: with
 * 'readwrite-unsafe' (Chromium 121+) a training run's reader, a prediction's reader and an import
 * appending test images to the same dataset can all hold the file. A browser that ignores the mode
 * hands back an exclusive handle (no `mode` property): that one is closed at once and null returned,
 * so nothing is ever locked against an import.
 */
async function sharedSyncHandle(file: FileSystemFileHandle): Promise<SyncAccessHandle | null> {
  try {
    const h = await (file as SyncCapableFileHandle).createSyncAccessHandle({ mode: 'readwrite-unsafe' });
    if (h.mode === 'readwrite-unsafe') return h;
    h.close();
  } catch {
    // locked by an exclusive writer (an older browser's import): File slices still read it
  }
  return null;
}

/**
 * Reads slots. In a dedicated worker with OPFS storage (training, prediction) it reads through
 * shared sync access handles, straight into the batch buffer; elsewhere (the page, IndexedDB
 * storage, a browser without lock modes) through File slices, one asynchronous read per sample.
 * `via: 'blob'` forces the File path (the bench's before).
 */
export async function openPixelReader(ds: Pick<DatasetRecord, 'id' | 'storage' | 'resolution'>, opts: { via?: 'auto' | 'blob' } = {}): Promise<PixelReader> {
  const bytes = sampleBytes(ds.resolution);
  const per = slotsPerChunk(ds.storage, ds.resolution);
  const missing = (chunk: number) => new Error(`pixel chunk ${chunk} of dataset ${ds.id} is missing`);
  const truncated = (slot: number) => new Error(`sample slot ${slot} of dataset ${ds.id} is truncated`);
  const blobs = new Map<number, Promise<Blob | undefined>>();
  const spare = new BufferPool();
  const handles = new Map<number, Promise<SyncAccessHandle | null>>();
  let chunkBlob: (chunk: number) => Promise<Blob | undefined>;
  let chunkHandle: ((chunk: number) => Promise<SyncAccessHandle | null>) | null = null;
  if (ds.storage === 'opfs') {
    const dir = await datasetDir(ds.id, false);
    const file = (chunk: number) =>
      dir.getFileHandle(chunkName(chunk)).catch((e: DOMException) => {
        throw e.name === 'NotFoundError' ? missing(chunk) : e;
      });
    chunkBlob = async (chunk) => (await file(chunk)).getFile();
    if (opts.via !== 'blob' && (await opfsSyncAvailable())) {
      chunkHandle = async (chunk) => sharedSyncHandle(await file(chunk));
      // one probe decides the path for the whole reader, so `via` tells the truth
      const probe = await chunkHandle(0).catch(() => null);
      if (probe) handles.set(0, Promise.resolve(probe));
      else chunkHandle = null;
    }
  } else {
    const db = await openCatalog();
    chunkBlob = async (chunk) => (await db.get('pixelChunks', [ds.id, chunk]))?.blob;
  }
  const viaBlob = async (slot: number, into: Uint8Array) => {
    const chunk = Math.floor(slot / per);
    let p = blobs.get(chunk);
    if (!p) blobs.set(chunk, (p = chunkBlob(chunk)));
    const blob = await p;
    if (!blob) throw missing(chunk);
    const at = (slot % per) * bytes;
    const buf = await blob.slice(at, at + bytes).arrayBuffer();
    if (buf.byteLength !== bytes) throw truncated(slot);
    into.set(new Uint8Array(buf));
  };
  const readInto = async (slot: number, into: Uint8Array) => {
    const chunk = Math.floor(slot / per);
    let h = chunkHandle && handles.get(chunk);
    if (chunkHandle && !h) handles.set(chunk, (h = chunkHandle(chunk)));
    const handle = h ? await h : null;
    if (!handle) return viaBlob(slot, into);
    if (handle.read(into, { at: (slot % per) * bytes }) !== bytes) throw truncated(slot);
  };
  return {
    via: chunkHandle ? 'sync' : 'blob',
    async read(slot) {
      const out = new Uint8Array(bytes);
      await readInto(slot, out);
      return out;
    },
    async readMany(slots) {
      const out = spare.take(slots.length * bytes);
      await Promise.all(Array.from(slots, (slot, i) => readInto(slot, out.subarray(i * bytes, (i + 1) * bytes))));
      return out;
    },
    recycle: (batch) => spare.give(batch),
    close() {
      blobs.clear();
      spare.clear();
      const closing = Array.from(handles.values(), (h) =>
        h.then(
          (x) => x?.close(),
          () => undefined,
        ),
      );
      handles.clear();
      return Promise.all(closing).then(() => undefined);
    },
  };
}

/**
 * Deletes a dataset: its pixels (OPFS files or IndexedDB chunks) and its catalog entries. While a
 * training run or a prediction holds the dataset's chunks open (sync access handles), the browser
 * refuses to remove them; then nothing is deleted (Chromium checks every file's lock before it
 * removes any) and the error says why.
 */
export async function deleteDataset(ds: Pick<DatasetRecord, 'id' | 'storage' | 'name'>): Promise<void> {
  if (ds.storage === 'opfs') {
    try {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle(ROOT_DIR);
      await top.removeEntry(ds.id, { recursive: true });
    } catch (e) {
      const name = (e as DOMException).name;
      if (name === 'NoModificationAllowedError')
        throw new Error(`Dataset '${ds.name}' is being read by a training run or a prediction: stop it (or let it finish), then delete. Nothing was deleted.`, {
          cause: e,
        });
      if (name !== 'NotFoundError') throw e;
    }
  }
  await deleteCatalogEntries(ds.id);
}

/**
 * The bytes stored in each of a dataset's pixel chunks (chunk index → bytes), for the consistency
 * check at start: a sample's slot must lie within them. A chunk not stored is absent.
 */
export async function storedChunkBytes(ds: Pick<DatasetRecord, 'id' | 'storage'>): Promise<Map<number, number>> {
  const sizes = new Map<number, number>();
  if (ds.storage === 'opfs') {
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await datasetDir(ds.id, false);
    } catch (e) {
      if ((e as DOMException).name === 'NotFoundError') return sizes;
      throw e;
    }
    for (let chunk = 0; ; chunk++) {
      // only a chunk that is not there ends the list: any other failure fails the check rather than drop samples
      const file = await dir.getFileHandle(chunkName(chunk)).catch((e: DOMException) => {
        if (e.name === 'NotFoundError') return null;
        throw e;
      });
      if (!file) break;
      sizes.set(chunk, (await file.getFile()).size);
    }
  } else {
    const db = await openCatalog();
    for (const c of await db.getAll('pixelChunks', IDBKeyRange.bound([ds.id, -Infinity], [ds.id, Infinity]))) sizes.set(c.chunk, c.blob.size);
  }
  return sizes;
}
