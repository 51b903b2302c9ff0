/**
 * A BatchSource over a stored dataset: reads each batch's pixel slots from the pixel store while
 * the previous batches train (a prefetch queue), so the GPU does not wait on storage. Small
 * datasets are read into memory once instead.
 */
import { NUM_CLASSES } from '../core/labels';
import { DEFAULT_IMAGE_MEMORY_MB } from '../core/runConfig';
import type { LabelSets } from '../core/split';
import { memoryBatchSource, shuffledRows, type Batch, type BatchSource } from '../core/train/batchSource';
import { readAhead } from './readAhead';

export interface StoredSourceOptions {
  /** the slots' pixels one after another (PixelReader.readMany) */
  readMany(slots: number[]): Promise<Uint8Array>;
  /** gives a readMany result back once used (PixelReader.recycle) */
  recycle?(bytes: Uint8Array): void;
  /** pixel slot of every row */
  slots: ArrayLike<number>;
  labelSets: LabelSets;
  imageSize: number;
  trainRows: ArrayLike<number>;
  valRows: ArrayLike<number>;
  trainOrder?: (epoch: number, seed: number) => ArrayLike<number>;
  /** batches read ahead (default 3) */
  prefetch?: number;
  /** datasets up to this many bytes are read into memory once (default: the run setting's default, DEFAULT_IMAGE_MEMORY_MB) */
  inMemoryBytes?: number;
  onLoadProgress?: (done: number, total: number) => void;
  /** time spent waiting for data, for the stall fraction */
  stats?: { waitMs: number; batches: number };
}

function multiHot(labelSets: LabelSets, rows: ArrayLike<number>, start: number, end: number): Float32Array {
  const y = new Float32Array((end - start) * NUM_CLASSES);
  for (let i = start; i < end; i++) for (const c of labelSets[rows[i]]) y[(i - start) * NUM_CLASSES + c] = 1;
  return y;
}

/** `heldBytes`: the bytes of images read into memory once (small datasets), or null when they are streamed */
export async function storedBatchSource(o: StoredSourceOptions): Promise<BatchSource & { heldBytes: number | null }> {
  const pixels = o.imageSize * o.imageSize * 4;
  const n = o.slots.length;
  if (n * pixels <= (o.inMemoryBytes ?? DEFAULT_IMAGE_MEMORY_MB * 1e6)) {
    const images = new Uint8Array(n * pixels);
    const labels = new Uint8Array(n * NUM_CLASSES);
    const used = new Set<number>([...Array.from(o.trainRows), ...Array.from(o.valRows)]);
    let done = 0;
    const rows = [...used];
    for (let s = 0; s < rows.length; s += 64) {
      const chunk = rows.slice(s, s + 64);
      const data = await o.readMany(chunk.map((r) => o.slots[r]));
      chunk.forEach((r, i) => images.set(data.subarray(i * pixels, (i + 1) * pixels), r * pixels));
      o.recycle?.(data);
      done += chunk.length;
      o.onLoadProgress?.(done, rows.length);
    }
    for (let r = 0; r < n; r++) for (const c of o.labelSets[r]) labels[r * NUM_CLASSES + c] = 1;
    return { ...memoryBatchSource({ images, imageSize: o.imageSize, channels: 4, labels, numClasses: NUM_CLASSES }, o), heldBytes: images.length };
  }

  const readBatch = async (rows: ArrayLike<number>, start: number, end: number): Promise<Batch> => {
    const x = await o.readMany(Array.from({ length: end - start }, (_, i) => o.slots[rows[start + i]]));
    return { x, y: multiHot(o.labelSets, rows, start, end) };
  };
  const batches = (rows: ArrayLike<number>, batchSize: number): AsyncGenerator<Batch> =>
    readAhead(rows.length, batchSize, (start, end) => readBatch(rows, start, end), {
      depth: o.prefetch,
      onWait: (ms) => {
        if (!o.stats) return;
        o.stats.waitMs += ms;
        o.stats.batches++;
      },
    });
  return {
    heldBytes: null,
    numTrain: (o.trainOrder ? o.trainOrder(1, 0) : o.trainRows).length,
    numVal: o.valRows.length,
    imageSize: o.imageSize,
    channels: 4,
    numClasses: NUM_CLASSES,
    trainBatches: (epoch, batchSize, seed) => batches(o.trainOrder ? o.trainOrder(epoch, seed) : shuffledRows(o.trainRows, epoch, seed), batchSize),
    valBatches: (batchSize) => batches(o.valRows, batchSize),
    release: (batch) => batch.x instanceof Uint8Array && o.recycle?.(batch.x),
  };
}
