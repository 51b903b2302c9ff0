import { describe, expect, it } from 'vitest';
import { memoryBatchSource, type Batch } from './batchSource';

const side = 2;
const pixels = side * side * 4;
/** 10 images whose every byte is the image's row number */
const data = {
  images: Uint8Array.from({ length: 10 * pixels }, (_, i) => Math.floor(i / pixels)),
  imageSize: side,
  channels: 4,
  labels: new Uint8Array(10 * 28),
  numClasses: 28,
};
const rowsOf = (b: Batch) => Array.from({ length: (b.x as Uint8Array).length / pixels }, (_, i) => (b.x as Uint8Array)[i * pixels]);

describe('memoryBatchSource', () => {
  it('fills a released batch buffer again with the next batch, and never one still held', async () => {
    const source = memoryBatchSource(data, { trainRows: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], valRows: [] });
    const seen: number[][] = [];
    const buffers: ArrayBufferLike[] = [];
    let held: Batch | null = null;
    for await (const b of source.trainBatches(1, 3, 5)) {
      seen.push(rowsOf(b));
      buffers.push((b.x as Uint8Array).buffer);
      if (held) source.release!(held); // one batch behind, as the trainer's step in flight
      held = b;
    }
    // every row once, each batch's bytes its own rows (a reused buffer holds the new rows)
    expect(seen.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.map((r) => r.length)).toEqual([3, 3, 3, 1]);
    // batch 3 reuses batch 1's buffer (released before batch 3 was cut); batch 2 was cut while batch 1 was held
    expect(buffers[1]).not.toBe(buffers[0]);
    expect(buffers[2]).toBe(buffers[0]);
    expect(buffers[3]).not.toBe(buffers[1]); // a short last batch: another size
  });

  it('cuts every batch into a fresh buffer when nothing is released', async () => {
    const source = memoryBatchSource(data, { trainRows: [0, 1, 2, 3, 4, 5], valRows: [] });
    const buffers = new Set<ArrayBufferLike>();
    for await (const b of source.trainBatches(1, 2, 5)) buffers.add((b.x as Uint8Array).buffer);
    expect(buffers.size).toBe(3);
  });
});
