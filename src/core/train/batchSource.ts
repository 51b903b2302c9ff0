/**
 * Where training data comes from: a BatchSource hands the loop batches of stored-resolution
 * images (uint8 RGBY, [b, S, S, 4]) and their multi-hot labels ([b, classes]). The browser (packed
 * shards in OPFS/IndexedDB) and Node (a zip read into memory) each implement it.
 */
import type * as tf from '@tensorflow/tfjs';
import { BufferPool } from '../bufferPool';
import { Rng } from '../rng';

export interface Batch {
  /** [b, S, S, channels] pixels 0..255: a Uint8Array (row-major NHWC) or a tensor the loop will dispose */
  x: tf.Tensor4D | Uint8Array;
  /** [b × classes] multi-hot labels, row-major */
  y: Float32Array;
}

export interface BatchSource {
  numTrain: number;
  numVal: number;
  /** stored image side S */
  imageSize: number;
  channels: number;
  numClasses: number;
  /** one epoch of training batches, in an order fixed by (epoch, seed) */
  trainBatches(epoch: number, batchSize: number, seed: number): AsyncIterable<Batch>;
  /** the validation rows, always in the same order */
  valBatches(batchSize: number): AsyncIterable<Batch>;
  /**
   * The loop is done with a batch's pixels (a Uint8Array x, now on the backend): the source may
   * fill its buffer again for a later batch (../bufferPool.ts). Called at most once per batch, and
   * never while anything may still read the bytes.
   */
  release?(batch: Batch): void;
}

export interface MemoryDataset {
  /** n images, [n, S, S, channels] uint8 row-major */
  images: Uint8Array;
  imageSize: number;
  channels: number;
  /** [n × numClasses] 0/1 */
  labels: Uint8Array;
  numClasses: number;
}

export interface MemorySourceOptions {
  /** rows used for training (may repeat rows: upsampling) */
  trainRows: ArrayLike<number>;
  valRows: ArrayLike<number>;
  /**
   * The training rows of an epoch, in order; default: trainRows shuffled by (seed, epoch).
   * Lets a sampler redraw rows every epoch.
   */
  trainOrder?: (epoch: number, seed: number) => ArrayLike<number>;
}

/** The default per-epoch order: trainRows shuffled by a generator seeded with (seed, epoch). */
export function shuffledRows(rows: ArrayLike<number>, epoch: number, seed: number): Int32Array {
  return new Rng(`${seed}:order:${epoch}`).shuffle<number, Int32Array>(Int32Array.from(rows));
}

/** A BatchSource over images held in memory (Node CLI, tests, small browser datasets). */
export function memoryBatchSource(data: MemoryDataset, o: MemorySourceOptions): BatchSource {
  const { images, imageSize, channels, labels, numClasses } = data;
  const pixels = imageSize * imageSize * channels;
  const n = images.length / pixels;
  if (!Number.isInteger(n) || labels.length !== n * numClasses)
    throw new RangeError(`dataset holds ${images.length} pixel values and ${labels.length} labels: not n × ${imageSize}² × ${channels} and n × ${numClasses}`);
  for (const rows of [o.trainRows, o.valRows])
    for (let i = 0; i < rows.length; i++) if (!(rows[i] >= 0 && rows[i] < n)) throw new RangeError(`row ${rows[i]} is outside the dataset of ${n} images`);

  const spare = new BufferPool();
  function gather(rows: ArrayLike<number>, start: number, end: number): Batch {
    const b = end - start;
    const x = spare.take(b * pixels);
    const y = new Float32Array(b * numClasses);
    for (let i = 0; i < b; i++) {
      const r = rows[start + i];
      x.set(images.subarray(r * pixels, (r + 1) * pixels), i * pixels);
      for (let c = 0; c < numClasses; c++) y[i * numClasses + c] = labels[r * numClasses + c];
    }
    return { x, y };
  }

  async function* batches(rows: ArrayLike<number>, batchSize: number): AsyncGenerator<Batch> {
    if (!(batchSize >= 1)) throw new RangeError(`batch size must be ≥ 1, got ${batchSize}`);
    for (let s = 0; s < rows.length; s += batchSize) yield gather(rows, s, Math.min(rows.length, s + batchSize));
  }

  return {
    numTrain: o.trainRows.length,
    numVal: o.valRows.length,
    imageSize,
    channels,
    numClasses,
    trainBatches: (epoch, batchSize, seed) => batches(o.trainOrder ? o.trainOrder(epoch, seed) : shuffledRows(o.trainRows, epoch, seed), batchSize),
    valBatches: (batchSize) => batches(o.valRows, batchSize),
    release: (batch) => batch.x instanceof Uint8Array && spare.give(batch.x),
  };
}
