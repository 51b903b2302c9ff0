import { describe, expect, it } from 'vitest';
import { LruCache } from './lru';
import { ThumbnailLoader, type Thumbnail } from './thumbnailLoader';

/** A pixel source whose reads finish only when the test says so. */
function manualSource() {
  const waiting = new Map<number, (px: Uint8Array) => void>();
  const started: number[] = [];
  return {
    started,
    waiting,
    finish(slot: number) {
      waiting.get(slot)!(new Uint8Array([slot, 0, 0, 0]));
      waiting.delete(slot);
    },
    source: {
      read: (slot: number) => {
        started.push(slot);
        return new Promise<Uint8Array>((resolve) => waiting.set(slot, resolve));
      },
      render: (px: Uint8Array): Thumbnail => new Uint8ClampedArray(px),
    },
  };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('LRU cache', () => {
  it('evicts the least recently used entry; get refreshes recency', () => {
    const c = new LruCache<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    expect(c.get(1)).toBe('a');
    c.set(3, 'c');
    expect(c.has(2)).toBe(false);
    expect(c.has(1) && c.has(3)).toBe(true);
    expect(c.size).toBe(2);
  });
});

describe('thumbnail loader', () => {
  it('reads at most `concurrency` slots at once and caches results', async () => {
    const m = manualSource();
    const loader = new ThumbnailLoader(m.source, 10, 2);
    const got: number[] = [];
    for (const s of [1, 2, 3, 4]) loader.request(s, (t) => got.push(t![0]));
    expect(m.started).toEqual([1, 2]);
    expect(loader.queued).toBe(2);
    m.finish(1);
    await tick();
    expect(got).toEqual([1]);
    expect(m.started).toEqual([1, 2, 3]);
    expect(loader.cached(1)?.[0]).toBe(1);
    // a cached slot answers at once without a read
    let again = -1;
    loader.request(1, (t) => (again = t![0]));
    expect(again).toBe(1);
    expect(m.started.filter((s) => s === 1)).toHaveLength(1);
  });

  it('cancelling a queued request (cell scrolled away) drops it without reading', async () => {
    const m = manualSource();
    const loader = new ThumbnailLoader(m.source, 10, 1);
    const got: number[] = [];
    loader.request(1, (t) => got.push(t![0]));
    const cancel2 = loader.request(2, (t) => got.push(t![0]));
    loader.request(3, (t) => got.push(t![0]));
    cancel2();
    expect(loader.stats.cancelled).toBe(1);
    m.finish(1);
    await tick();
    m.finish(3);
    await tick();
    expect(m.started).toEqual([1, 3]);
    expect(got).toEqual([1, 3]);
  });

  it('shares one read between two requests for the same slot and reports read errors', async () => {
    const m = manualSource();
    const loader = new ThumbnailLoader(m.source, 10, 4);
    const got: string[] = [];
    loader.request(5, () => got.push('a'));
    const cancelB = loader.request(5, () => got.push('b'));
    cancelB();
    loader.request(5, () => got.push('c'));
    m.finish(5);
    await tick();
    expect(m.started).toEqual([5]);
    expect(got).toEqual(['a', 'c']);

    const failing = new ThumbnailLoader({ read: () => Promise.reject(new Error('chunk 0 is missing')), render: (p) => new Uint8ClampedArray(p) });
    const err = await new Promise<string | undefined>((r) => failing.request(0, (t, e) => r(t ? 'thumb' : e)));
    expect(err).toBe('chunk 0 is missing');
  });
});
