/**
 * Pixel storage of a dataset: every sample is one fixed-size slot of resolution² × 4 bytes,
 * interleaved R,G,B,Y (height × width × channel, ready to become a [s, s, 4] uint8 tensor).
 * Slots are packed into chunk files in the Origin Private File System, written through sync
 * access handles (dedicated workers only; ~100× faster random reads than IndexedDB blobs), or
 * into IndexedDB blob chunks where OPFS sync access is missing.
 */
import { deleteCatalogEntries, openCatalog, type DatasetRecord, type StorageKind } from './catalog';

/** The parts of FileSystemSyncAccessHandle we use (absent from TypeScript's DOM library). */
interface SyncAccessHandle {
  read(buffer: ArrayBufferView, options?: { at?: number }): number;
  write(buffer: ArrayBufferView, options?: { at?: number }): number;
  flush(): void;
  close(): void;
  getSize(): number;
}
type SyncCapableFileHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> };

const ROOT_DIR = 'hpa-studio';
const OPFS_CHUNK_BYTES = 256 * 1024 * 1024;
const IDB_CHUNK_BYTES = 16 * 1024 * 1024;

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
  // handle (a second createSyncAccessHandle on the same file fails while the first is open).
  const handles = new Map<number, Promise<SyncAccessHandle>>();
  const handle = (chunk: number) => {
    let h = handles.get(chunk);
    if (!h) {
      h = dir.getFileHandle(chunkName(chunk), { create: true }).then((f) => (f as SyncCapableFileHandle).createSyncAccessHandle());
      handles.set(chunk, h);
    }
    return h;
  };
  return {
    async write(slot, pixels) {
      if (pixels.length !== bytes) throw new Error(`sample has ${pixels.length} bytes, expected ${bytes}`);
      const h = await handle(Math.floor(slot / per));
      const written = h.write(pixels, { at: (slot % per) * bytes });
      if (written !== bytes) throw new Error(`storage wrote ${written} of ${bytes} bytes (disk full?)`);
    },
    async flush() {
      for (const h of await Promise.all(handles.values())) h.flush();
    },
    async close() {
      for (const h of await Promise.allSettled(handles.values())) {
        if (h.status === 'fulfilled') {
          h.value.flush();
          h.value.close();
        }
      }
      handles.clear();
    },
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
  close(): void;
}

/** Reads slots through File objects (works on the page and in workers). */
export async function openPixelReader(ds: Pick<DatasetRecord, 'id' | 'storage' | 'resolution'>): Promise<PixelReader> {
  const bytes = sampleBytes(ds.resolution);
  const per = slotsPerChunk(ds.storage, ds.resolution);
  const files = new Map<number, Promise<Blob | undefined>>();
  let chunkBlob: (chunk: number) => Promise<Blob | undefined>;
  if (ds.storage === 'opfs') {
    const dir = await datasetDir(ds.id, false);
    chunkBlob = async (chunk) => (await dir.getFileHandle(chunkName(chunk))).getFile();
  } else {
    const db = await openCatalog();
    chunkBlob = async (chunk) => (await db.get('pixelChunks', [ds.id, chunk]))?.blob;
  }
  return {
    async read(slot) {
      const chunk = Math.floor(slot / per);
      let p = files.get(chunk);
      if (!p) files.set(chunk, (p = chunkBlob(chunk)));
      const blob = await p;
      if (!blob) throw new Error(`pixel chunk ${chunk} of dataset ${ds.id} is missing`);
      const at = (slot % per) * bytes;
      const buf = await blob.slice(at, at + bytes).arrayBuffer();
      if (buf.byteLength !== bytes) throw new Error(`sample slot ${slot} of dataset ${ds.id} is truncated`);
      return new Uint8Array(buf);
    },
    close() {
      files.clear();
    },
  };
}

/** Deletes a dataset: its pixels (OPFS files or IndexedDB chunks) and its catalog entries. */
export async function deleteDataset(ds: Pick<DatasetRecord, 'id' | 'storage'>): Promise<void> {
  if (ds.storage === 'opfs') {
    try {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle(ROOT_DIR);
      await top.removeEntry(ds.id, { recursive: true });
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError') throw e;
    }
  }
  await deleteCatalogEntries(ds.id);
}
