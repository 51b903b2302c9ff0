/**
 * Pretrained backbone weights kept in the browser, so a dropped or downloaded file is parsed once:
 * a record per file (what it is, its size, the report of its last match) in the catalog's
 * 'weights' store, and its tensors packed as one ArrayBuffer of float32 values (packedWeights.ts)
 * in 'weightData', read only when a run loads them. Listing never touches the values.
 *
 * IndexedDB and not OPFS: the largest file (ResNet50, 94.8 MB, 94.7 MB of floats) is one value
 * written once and read whole, which IndexedDB stores as a blob file on disk in Chromium and
 * Firefox; OPFS pays off for many small random reads (the pixel store), not for this. Both share
 * the origin's quota, which the studio already checks.
 */
import { packWeights, unpackWeights, type PackedWeights } from '../core/weights/packedWeights';
import type { NamedWeight } from '../core/weights/namedWeight';
import type { WeightReport } from '../core/weights/weightReport';
import { openCatalog } from './catalog';

export type WeightsSource = 'h5' | 'tfjs' | 'download';

export interface StoredWeightsRecord {
  id: string;
  /** the model the weights are for ('vgg16', 'resnet50', 'inceptionv3', 'mobilenetv2') */
  backbone: string;
  source: WeightsSource;
  fileName: string;
  /** bytes the stored values take (what deleting frees) */
  bytes: number;
  /** how many tensors */
  tensors: number;
  addedAt: number;
  /** the report of matching them onto the backbone when they were added (null if not matched yet) */
  report: WeightReport | null;
  /** the file's own size and what the file said about itself */
  fileBytes?: number;
  kerasVersion?: string;
}

export interface StoredWeightsData extends PackedWeights {
  id: string;
}

export type NewWeights = Omit<StoredWeightsRecord, 'id' | 'bytes' | 'tensors' | 'addedAt'> & { id?: string; addedAt?: number };

/** Stores `weights` with their record (a new id unless given); returns the record. */
export async function putWeights(meta: NewWeights, weights: readonly NamedWeight[]): Promise<StoredWeightsRecord> {
  const packed = packWeights(weights);
  const record: StoredWeightsRecord = {
    ...meta,
    id: meta.id ?? `w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    bytes: packed.data.byteLength,
    tensors: weights.length,
    addedAt: meta.addedAt ?? Date.now(),
  };
  const db = await openCatalog();
  const tx = db.transaction(['weights', 'weightData'], 'readwrite');
  await Promise.all([tx.objectStore('weightData').put({ id: record.id, ...packed }), tx.objectStore('weights').put(record), tx.done]);
  return record;
}

/** Every stored set of weights, newest first, without their values. */
export async function listWeights(): Promise<StoredWeightsRecord[]> {
  return (await (await openCatalog()).getAll('weights')).sort((a, b) => b.addedAt - a.addedAt);
}

export async function getWeightsRecord(id: string): Promise<StoredWeightsRecord | undefined> {
  return (await openCatalog()).get('weights', id);
}

/** The stored tensors (views into one buffer), or undefined when `id` is not stored. */
export async function getWeights(id: string): Promise<NamedWeight[] | undefined> {
  const data = await (await openCatalog()).get('weightData', id);
  return data && unpackWeights(data);
}

/** Keeps the report of the latest match with the record. */
export async function setWeightsReport(id: string, report: WeightReport): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction('weights', 'readwrite');
  const rec = await tx.store.get(id);
  if (rec) await tx.store.put({ ...rec, report });
  await tx.done;
}

export async function deleteWeights(id: string): Promise<void> {
  const db = await openCatalog();
  const tx = db.transaction(['weights', 'weightData'], 'readwrite');
  await Promise.all([tx.objectStore('weights').delete(id), tx.objectStore('weightData').delete(id), tx.done]);
}
