/**
 * Browser storage running out part-way through a write. IndexedDB (the catalog, checkpoints,
 * weights) and OPFS (pixels) share one quota per origin, so once it is reached every write fails:
 * an import stops with what it stored and what the rest needs, a run stops with its last good
 * checkpoint. The quota check before an import (ingest.ts) catches most cases; this is for the
 * rest (other tabs, other data, the browser lowering the quota under pressure).
 */

/**
 * True when `e` says the origin's quota is used up: IndexedDB's QuotaExceededError, or an OPFS sync
 * access handle that wrote fewer bytes than asked (Chromium 156 then returns a negative count as an
 * unsigned number instead of throwing; pixelStore.ts turns that into a QuotaExceededError).
 */
export function isStorageFull(e: unknown): boolean {
  for (let x = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    if ((x as { name?: string }).name === 'QuotaExceededError') return true;
    if (/quota|disk full/i.test((x as { message?: string }).message ?? '')) return true;
  }
  return false;
}

const count = (n: number) => n.toLocaleString('en-US');
/** '53 MB', '1.2 MB', '4.30 GB' */
export const storageSize = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`);

/** What an import that ran out of space says: how much it stored, how much the rest needs, and what to do. */
export function importStorageFullMessage(o: { stored: number; wanted: number; sampleBytes: number; overheadPerSample: number }): string {
  const rest = o.wanted - o.stored;
  return (
    `Browser storage is full: stored ${count(o.stored)} of ${count(o.wanted)} samples (${storageSize(o.stored * o.sampleBytes)}); ` +
    `the other ${count(rest)} need ${storageSize(rest * (o.sampleBytes + o.overheadPerSample))} more. ` +
    `Free space (delete a dataset, runs or stored weights, or let this site use more of the disk), then press Resume… on the dataset and choose the same files.`
  );
}

/** What a run whose checkpoint could not be stored says (the run stops; the last stored checkpoint is kept). */
export function checkpointStorageFullMessage(o: { epoch: number; bytes: number; lastGood: number }): string {
  const kept = o.lastGood > 0 ? `the checkpoint of epoch ${o.lastGood} is kept` : 'no earlier checkpoint was stored';
  return (
    `Browser storage is full: the checkpoint of epoch ${o.epoch} (${storageSize(o.bytes)}) could not be written, so the run stopped; ${kept}. ` +
    (o.lastGood > 0 ? `Free space, then press Resume from epoch ${o.lastGood}.` : 'Free space, then train again.')
  );
}
