/**
 * Batches read a few ahead: the ranges [start, end) of `count` items in steps of `batchSize`, each
 * read by `read` while earlier ones are consumed, `depth` reads in flight. Shared by training's
 * stored batches (./storedBatchSource.ts) and prediction's (src/worker/predictRun.ts); with a
 * reader in a feed worker (src/worker/feedReader.ts) the reads run while the consumer works.
 */
export async function* readAhead<T>(
  count: number,
  batchSize: number,
  read: (start: number, end: number) => Promise<T>,
  o: { depth?: number; onWait?: (ms: number) => void } = {},
): AsyncGenerator<T> {
  if (!(batchSize >= 1)) throw new RangeError(`batch size must be ≥ 1, got ${batchSize}`);
  const depth = Math.max(1, o.depth ?? 3);
  const queue: Promise<T>[] = [];
  let next = 0;
  const fill = () => {
    while (queue.length < depth && next < count) {
      const end = Math.min(count, next + batchSize);
      const batch = read(next, end);
      batch.catch(() => undefined); // one read ahead and never taken (the consumer stopped) may fail unobserved
      queue.push(batch);
      next = end;
    }
  };
  fill();
  while (queue.length) {
    const t0 = performance.now();
    const batch = await queue.shift()!;
    o.onWait?.(performance.now() - t0);
    fill();
    yield batch;
  }
}
