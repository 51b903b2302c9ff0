/**
 * A PixelReader whose reads run in a feed worker (./feed.worker.ts), for the training and predict
 * workers.
 *
 * The pixel store's fast path, OPFS sync access handles, reads synchronously: called from the
 * training worker, a batch of 32 images at 256 px (8 MB) held the training thread for as long as
 * the read took (≈ 5–8 ms at the 4,000–6,700 samples/s the bench measures on a 2-core machine), on
 * top of the step, so "3 batches read ahead" overlapped nothing, and the run's data-wait figure
 * missed that time (the queued promise was already resolved when the loop asked). Here the
 * requests queue up in the feed worker, which reads while the training thread encodes steps and
 * the GPU runs them, and transfers each batch's buffer (no copy); the training thread only waits
 * when the feed is really behind, and that wait is the run's stall fraction. A used batch's buffer
 * goes back the same way (recycle) and the worker reads a later batch into it: a fresh 8 MB buffer
 * costs more in page faults than the read itself (src/core/bufferPool.ts).
 *
 * Where the feed worker cannot start (no nested workers, or its script fails to load), the reader
 * reads in this thread, as before.
 */
import { openPixelReader, type PixelReader } from '../data/pixelStore';
import type { DatasetRecord } from '../data/catalog';
import type { FromFeedWorker, ToFeedWorker } from './protocol';

export type FeedReader = PixelReader & {
  readonly inWorker: boolean;
  /** resolves when no read is outstanding (the bench waits for batches read ahead and not taken) */
  drained(): Promise<void>;
};

/** How long close() waits for the feed worker to say its handles are closed before ending it. */
const CLOSE_WAIT_MS = 5000;

/** The reader in this thread, as a FeedReader. */
async function inThread(ds: Pick<DatasetRecord, 'id' | 'storage' | 'resolution'>): Promise<FeedReader> {
  return { ...(await openPixelReader(ds)), inWorker: false, drained: async () => undefined };
}

/** An error from the feed worker, with the name it had there (NotReadableError, NotFoundError, …). */
const fromWorker = (reason: string, name?: string) => Object.assign(new Error(reason), name && name !== 'Error' ? { name } : {});

export async function openFeedReader(ds: Pick<DatasetRecord, 'id' | 'storage' | 'resolution'>): Promise<FeedReader> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./feed.worker.ts', import.meta.url), { type: 'module', name: 'feed' });
  } catch {
    return inThread(ds);
  }
  const waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let broken: Error | null = null;
  let drainedNow: Array<() => void> = [];
  const settled = () => {
    if (waiting.size) return;
    for (const f of drainedNow) f();
    drainedNow = [];
  };
  /** 'start': the worker itself did not start (its script); 'dataset': it started and could not open the dataset */
  let openResult!: (r: { via: 'sync' | 'blob' } | { failed: 'start' | 'dataset'; error: Error }) => void;
  const open = new Promise<{ via: 'sync' | 'blob' } | { failed: 'start' | 'dataset'; error: Error }>((resolve) => (openResult = resolve));
  const fail = (e: Error) => {
    broken ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    settled();
  };
  let onClosed = (): void => undefined;
  worker.onmessage = (e: MessageEvent<FromFeedWorker>) => {
    const msg = e.data;
    if (msg.type === 'opened') return openResult({ via: msg.via });
    if (msg.type === 'closed') return onClosed();
    if (msg.seq === null)
      return openResult({ failed: 'dataset', error: msg.type === 'failed' ? fromWorker(msg.reason, msg.name) : new Error('feed worker: unexpected answer') });
    const w = waiting.get(msg.seq);
    if (!w) return;
    waiting.delete(msg.seq);
    if (msg.type === 'read') w.resolve(msg.bytes);
    else w.reject(fromWorker(msg.reason, msg.name));
    settled();
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const error = new Error(`the feed worker stopped: ${e.message || 'it could not start'}`);
    openResult({ failed: 'start', error });
    fail(error);
  };
  const send = (msg: ToFeedWorker) => worker.postMessage(msg);
  send({ type: 'open', dataset: { id: ds.id, storage: ds.storage, resolution: ds.resolution } });
  const opened = await open;
  if ('failed' in opened) {
    worker.terminate();
    if (opened.failed === 'start') return inThread(ds); // the reads in this thread, as before the feed worker
    throw opened.error;
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
  let closing: Promise<void> | null = null;
  return {
    via: opened.via,
    inWorker: true,
    readMany,
    // the buffer goes back to the feed worker (transferred: here its views are empty from now on)
    recycle(batch) {
      const buffer = batch.buffer;
      if (closing || !(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || batch.byteOffset !== 0 || batch.byteLength !== buffer.byteLength) return;
      worker.postMessage({ type: 'recycle', buffer } satisfies ToFeedWorker, [buffer]);
    },
    read: (slot) => readMany([slot]),
    drained: () => new Promise<void>((resolve) => (waiting.size ? drainedNow.push(resolve) : resolve())),
    close() {
      closing ??= new Promise<void>((resolve) => {
        broken ??= new Error('the feed reader was closed');
        waiting.clear(); // batches read ahead for a loop that has ended: nobody waits for them
        settled();
        const timer = setTimeout(() => (worker.terminate(), resolve()), CLOSE_WAIT_MS);
        onClosed = () => (clearTimeout(timer), resolve());
        worker.onerror = () => (clearTimeout(timer), worker.terminate(), resolve());
        send({ type: 'close' }); // the worker closes its handles, says so, then ends
      });
      return closing;
    },
  };
}
