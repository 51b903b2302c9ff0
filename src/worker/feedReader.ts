/**
 * A PixelReader whose reads run in a feed worker (./feed.worker.ts), for the training worker.
 *
 * The pixel store's fast path, OPFS sync access handles, reads synchronously: called from the
 * training worker, a batch of 32 images at 256 px (8 MB) held the training thread for as long as
 * the read took (≈ 8 ms at the ~4,000 samples/s the bench measures on a 2-core machine), on top
 * of the step, so "3 batches read ahead" overlapped nothing, and the run's data-wait figure
 * missed that time (the queued promise was already resolved when the loop asked). Here the
 * requests queue up in the feed worker, which reads while the training thread encodes steps and
 * the GPU runs them, and transfers each batch's buffer (no copy); the training thread only waits
 * when the feed is really behind, and that wait is the run's stall fraction.
 *
 * Where a worker cannot be started here (no nested workers), the reader reads in this thread.
 */
import { openPixelReader, type PixelReader } from '../data/pixelStore';
import type { DatasetRecord } from '../data/catalog';
import type { FromFeedWorker, ToFeedWorker } from './protocol';

export type FeedReader = PixelReader & { readonly inWorker: boolean };

/** How long close() waits for the feed worker to say its handles are closed before ending it. */
const CLOSE_WAIT_MS = 5000;

export async function openFeedReader(ds: Pick<DatasetRecord, 'id' | 'storage' | 'resolution'>): Promise<FeedReader> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./feed.worker.ts', import.meta.url), { type: 'module', name: 'feed' });
  } catch {
    const here = await openPixelReader(ds);
    return { via: here.via, inWorker: false, read: (slot) => here.read(slot), readMany: (slots) => here.readMany(slots), close: () => here.close() };
  }
  const waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let broken: Error | null = null;
  let opened!: (via: 'sync' | 'blob') => void;
  let openFailed!: (e: Error) => void;
  const open = new Promise<'sync' | 'blob'>((resolve, reject) => ((opened = resolve), (openFailed = reject)));
  const fail = (e: Error) => {
    broken ??= e;
    openFailed(e);
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  let onClosed = () => undefined as void;
  worker.onmessage = (e: MessageEvent<FromFeedWorker>) => {
    const msg = e.data;
    if (msg.type === 'opened') return opened(msg.via);
    if (msg.type === 'closed') return onClosed();
    if (msg.seq === null) return fail(new Error(msg.type === 'failed' ? msg.reason : 'feed worker: unexpected answer'));
    const w = waiting.get(msg.seq);
    if (!w) return;
    waiting.delete(msg.seq);
    if (msg.type === 'read') w.resolve(msg.bytes);
    else w.reject(new Error(msg.reason));
  };
  worker.onerror = (e) => {
    e.preventDefault();
    fail(new Error(`the feed worker stopped: ${e.message || 'it could not start'}`));
  };
  const send = (msg: ToFeedWorker) => worker.postMessage(msg);
  send({ type: 'open', dataset: { id: ds.id, storage: ds.storage, resolution: ds.resolution } });
  let via: 'sync' | 'blob';
  try {
    via = await open;
  } catch (e) {
    worker.terminate();
    throw e;
  }
  const readMany = (slots: ArrayLike<number>): Promise<Uint8Array> => {
    if (broken) return Promise.reject(broken);
    const n = ++seq;
    const p = new Promise<Uint8Array>((resolve, reject) => {
      waiting.set(n, { resolve, reject });
      send({ type: 'read', seq: n, slots: Array.from(slots) });
    });
    // a batch read ahead and never asked for (the run stopped) may fail unobserved: not an unhandled rejection
    p.catch(() => undefined);
    return p;
  };
  return {
    via,
    inWorker: true,
    readMany,
    read: (slot) => readMany([slot]),
    close() {
      broken ??= new Error('the feed reader was closed');
      waiting.clear(); // batches read ahead for a loop that has ended: nobody waits for them
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => (worker.terminate(), resolve()), CLOSE_WAIT_MS);
        onClosed = () => (clearTimeout(timer), resolve());
        worker.onerror = () => (clearTimeout(timer), worker.terminate(), resolve());
        send({ type: 'close' }); // the worker closes its handles, says so, then ends
      });
    },
  };
}
