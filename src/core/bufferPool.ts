/**
 * Byte buffers handed back for reuse. A fresh ArrayBuffer's memory is mapped lazily: the first
 * write to each 4 KB page faults and zeroes it, which for a training batch (32 × 256 px × 4 = 8 MB)
 * cost more than reading the batch itself: 32 samples read into a fresh buffer ran at ~10,000
 * samples/s against ~70,000 into a used one (OPFS sync reads in a Chromium dedicated worker, 2-core
 * EPYC, 2026-11-28), and every dropped 8 MB buffer is garbage for the collector. The pixel reader
 * (src/data/pixelStore.ts) and the in-memory batch source (./train/batchSource.ts) keep the
 * buffers their consumer gives back and fill them again.
 *
 * At most `max` buffers are kept (the oldest dropped first, so that odd sizes, a short last batch,
 * cannot crowd out the common one), each once, and handed out by exact size. A buffer must only be
 * given back when nothing will read or write it again: the pool cannot tell.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  constructor(private readonly max = 4) {}

  /** a buffer of `size` bytes: a given-back one if one fits exactly (its old bytes still in it), else a new one */
  take(size: number): Uint8Array {
    const i = this.free.findIndex((b) => b.byteLength === size);
    return i < 0 ? new Uint8Array(size) : new Uint8Array(this.free.splice(i, 1)[0]);
  }

  /** keeps `bytes`' buffer for a later take(), if the view covers it whole (a detached or empty one is ignored) */
  give(bytes: Uint8Array): void {
    const buffer = bytes.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return;
    if (this.free.includes(buffer)) return;
    if (this.free.length >= this.max) this.free.shift();
    this.free.push(buffer);
  }

  get size(): number {
    return this.free.length;
  }

  clear(): void {
    this.free.length = 0;
  }
}
