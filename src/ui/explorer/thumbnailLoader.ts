/**
 * Loads grid thumbnails on demand: requests for the visible cells are queued, at most
 * `concurrency` pixel reads run at once, results are kept in an LRU cache, and a request whose
 * cell scrolled away is cancelled (dropped from the queue if its read has not started).
 */
import { LruCache } from './lru';

export type Thumbnail = Uint8ClampedArray;

export interface ThumbnailSource {
  /** the stored pixels of a slot */
  read(slot: number): Promise<Uint8Array>;
  /** turns stored pixels into the thumbnail's RGBA bytes */
  render(pixels: Uint8Array): Thumbnail;
}

type Callback = (thumb: Thumbnail | null, error?: string) => void;

interface Pending {
  slot: number;
  callbacks: Set<Callback>;
  started: boolean;
}

export interface LoaderStats {
  reads: number;
  cancelled: number;
  hits: number;
}

export class ThumbnailLoader {
  private readonly cache: LruCache<number, Thumbnail>;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Pending[] = [];
  private active = 0;
  private closed = false;
  readonly stats: LoaderStats = { reads: 0, cancelled: 0, hits: 0 };

  constructor(
    private readonly source: ThumbnailSource,
    capacity = 800,
    private readonly concurrency = 4,
  ) {
    this.cache = new LruCache(capacity);
  }

  /** The cached thumbnail of a slot, if any. */
  cached(slot: number): Thumbnail | undefined {
    const t = this.cache.get(slot);
    if (t) this.stats.hits++;
    return t;
  }

  /** Number of requests waiting for a read slot (not yet started). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Asks for a slot's thumbnail; `done` is called once (unless cancelled) with it, or with null and
   * the error. Returns the cancel function.
   */
  request(slot: number, done: Callback): () => void {
    const hit = this.cached(slot);
    if (hit) {
      done(hit);
      return () => {};
    }
    let p = this.pending.get(slot);
    if (!p) {
      p = { slot, callbacks: new Set(), started: false };
      this.pending.set(slot, p);
      this.queue.push(p);
    }
    p.callbacks.add(done);
    const entry = p;
    this.pump();
    return () => {
      if (!entry.callbacks.delete(done)) return;
      if (entry.callbacks.size === 0 && !entry.started) {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        this.pending.delete(entry.slot);
        this.stats.cancelled++;
      }
    };
  }

  /** Stops all work; later results are dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.pending.clear();
    this.cache.clear();
  }

  private pump(): void {
    while (!this.closed && this.active < this.concurrency && this.queue.length) {
      const p = this.queue.shift()!;
      p.started = true;
      this.active++;
      this.stats.reads++;
      this.source
        .read(p.slot)
        .then((pixels) => {
          const thumb = this.source.render(pixels);
          if (!this.closed) this.cache.set(p.slot, thumb);
          return { thumb, error: undefined };
        })
        .catch((e: unknown) => ({ thumb: null, error: e instanceof Error ? e.message : String(e) }))
        .then(({ thumb, error }) => {
          this.active--;
          this.pending.delete(p.slot);
          if (!this.closed) for (const cb of p.callbacks) cb(thumb, error);
          this.pump();
        });
    }
  }
}
