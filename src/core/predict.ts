/**
 * Prediction with a trained model over a source of stored-resolution batches ([b, S, S, c] uint8,
 * the Batch type of train/batchSource.ts), batch by batch with a progress callback and an
 * AbortSignal.
 *
 *  - Test-time augmentation: the model runs on each chosen dihedral transform of every image
 *    (augment.ts: k = quarter turns, k ≥ 4 mirrored) and the probabilities are combined by mean or max.
 *  - Size: a 'resize' model sees the whole image resized to its input size s; a 'crop' model sees
 *    tiles of s × s over the stored image (a grid of ⌈S/s⌉ × ⌈S/s⌉ evenly spaced, overlapping tiles
 *    that cover it), whose probabilities are averaged, or only the centre crop (as in validation).
 *    TTA combines within each tile; tiles are then averaged.
 * The model is expected to output probabilities (the registry's models end in a sigmoid).
 */
import * as tf from '@tensorflow/tfjs';
import { applyTransforms, batchTensor, DIHEDRAL_TRANSFORMS, type ResizeMode } from './augment';
import type { Batch } from './train/batchSource';
import { plainSteps, type StepRunnerFactory } from './train/stepRunner';

export type TtaCombine = 'mean' | 'max';
export type TtaPreset = 'none' | 'flips' | 'dihedral';
export type CropTiling = 'grid' | 'centre';

/** Identity, left-right mirror (4), up-down mirror (6) and both (2 = half turn). */
export const FLIP_TRANSFORMS: readonly number[] = [0, 2, 4, 6];

export function ttaTransforms(preset: TtaPreset): number[] {
  if (preset === 'none') return [0];
  if (preset === 'flips') return [...FLIP_TRANSFORMS];
  if (preset === 'dihedral') return [...DIHEDRAL_TRANSFORMS];
  throw new RangeError(`TTA '${String(preset)}' is not one of none, flips, dihedral`);
}

/** What the model needs to know about its input (StudioMeta satisfies it). */
export interface ModelView {
  inputSize: number;
  resizeMode: ResizeMode;
}

/** Images to predict: `batches(batchSize)` yields their pixels in a fixed order. */
export interface PredictSource {
  numRows: number;
  /** stored side S */
  imageSize: number;
  channels: number;
  batches(batchSize: number): AsyncIterable<Pick<Batch, 'x'>>;
  /** as BatchSource.release: predict is done with this batch's pixels */
  release?(batch: Pick<Batch, 'x'>): void;
}

export interface PredictOptions {
  batchSize?: number;
  /** dihedral transforms 0..7 to run (default [0]: no TTA) */
  tta?: readonly number[];
  combine?: TtaCombine;
  /** crop-trained models: 'grid' (default) or 'centre' */
  tiling?: CropTiling;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Runs each batch's step (default: through tfjs); src/accel's replays them on webgpu */
  stepRunner?: StepRunnerFactory;
}

/** Top-left corners along one axis: n = ⌈S/s⌉ tiles of s evenly spaced from 0 to S − s. */
export function tileOffsets(stored: number, size: number): number[] {
  if (size > stored) throw new RangeError(`cannot cut ${size} px tiles from ${stored} px images`);
  const n = Math.ceil(stored / size);
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * (stored - size)) / (n - 1)));
}

/** Every (top, left) window the model sees for one image. */
export function viewWindows(stored: number, view: ModelView, tiling: CropTiling = 'grid'): { top: number; left: number }[] {
  if (view.resizeMode === 'resize') return [{ top: 0, left: 0 }];
  if (tiling === 'centre') {
    if (view.inputSize > stored) throw new RangeError(`cannot crop ${view.inputSize} px from ${stored} px images`);
    const o = Math.floor((stored - view.inputSize) / 2);
    return [{ top: o, left: o }];
  }
  const offs = tileOffsets(stored, view.inputSize);
  return offs.flatMap((top) => offs.map((left) => ({ top, left })));
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Probabilities [b, classes] of one float32 [b, S, S, c] batch: tiles averaged, TTA combined within each tile. */
export function predictTensor(model: tf.LayersModel, x: tf.Tensor4D, view: ModelView, o: Pick<PredictOptions, 'tta' | 'combine' | 'tiling'> = {}): tf.Tensor2D {
  const ks = o.tta ?? [0];
  if (!ks.length) throw new RangeError('TTA needs at least one transform');
  const combine = o.combine ?? 'mean';
  return tf.tidy(() => {
    const b = x.shape[0];
    const windows = viewWindows(x.shape[1], view, o.tiling);
    const perTile = windows.map(({ top, left }) => {
      const views = ks.map((k) => {
        const xi = applyTransforms(
          x,
          Array.from({ length: b }, () => ({ k, top, left })),
          { size: view.inputSize, mode: view.resizeMode },
        );
        return model.predict(xi) as tf.Tensor2D;
      });
      if (views.length === 1) return views[0];
      const stacked = tf.stack(views);
      return (combine === 'max' ? tf.max(stacked, 0) : tf.mean(stacked, 0)) as tf.Tensor2D;
    });
    return (perTile.length === 1 ? perTile[0] : tf.mean(tf.stack(perTile), 0)) as tf.Tensor2D;
  });
}

/** Probabilities [rows × classes] (row-major) of every image of the source, in its order. */
export async function predict(model: tf.LayersModel, source: PredictSource, view: ModelView, o: PredictOptions = {}): Promise<Float32Array> {
  const batchSize = o.batchSize ?? 16;
  const ks = o.tta ?? [0];
  for (const k of ks) if (!DIHEDRAL_TRANSFORMS.includes(k)) throw new RangeError(`TTA transform must be 0..7, got ${k}`);
  if (o.combine !== undefined && o.combine !== 'mean' && o.combine !== 'max')
    throw new RangeError(`TTA combine '${String(o.combine)}' is not one of mean, max`);
  if (view.resizeMode === 'crop' && source.imageSize < view.inputSize)
    throw new RangeError(`the model takes ${view.inputSize} px crops but the images are ${source.imageSize} px`);
  const out = model.outputs[0].shape;
  const classes = out[out.length - 1];
  if (classes === null) throw new RangeError('the model has no fixed number of outputs');
  const probs = new Float32Array(source.numRows * classes);
  const pixels = source.imageSize * source.imageSize * source.channels;
  let rows = 0;
  o.onProgress?.(0, source.numRows);
  // a replaying runner repeats the batches after the first two from a recording of their GPU
  // commands with new pixels: every view's windows are the same for every batch of a size
  const runner = (o.stepRunner ?? plainSteps)();
  try {
    for await (const batch of source.batches(batchSize)) {
      if (o.signal?.aborted) {
        if (!(batch.x instanceof Uint8Array)) batch.x.dispose();
        throw abortError(o.signal);
      }
      const b = batch.x instanceof Uint8Array ? batch.x.length / pixels : batch.x.shape[0];
      if (!Number.isInteger(b))
        throw new RangeError(`a batch of ${(batch.x as Uint8Array).length} values is not whole ${source.imageSize}² × ${source.channels} images`);
      if (rows + b > source.numRows) throw new RangeError(`the source gave more than its ${source.numRows} rows`);
      const bytes = batch.x instanceof Uint8Array ? batch.x : null;
      const p = runner.run(
        bytes ? `predict ${b}` : null,
        () => ({ x: bytes! }),
        () => tf.tidy(() => predictTensor(model, batchTensor(batch.x, b, source.channels, 'x'), view, o)),
      );
      // the pixels are on the backend now (a replay writes them, tfjs uploads or copies them)
      if (batch.x instanceof Uint8Array) source.release?.(batch);
      else batch.x.dispose();
      probs.set(await p.read, rows * classes);
      p.dispose();
      rows += b;
      o.onProgress?.(rows, source.numRows);
    }
  } finally {
    runner.dispose();
  }
  if (o.signal?.aborted) throw abortError(o.signal);
  if (rows !== source.numRows) throw new RangeError(`the source gave ${rows} rows, expected ${source.numRows}`);
  return probs;
}

/** A PredictSource over n images held in memory ([n, S, S, c] uint8 row-major). */
export function memoryPredictSource(images: Uint8Array, imageSize: number, channels = 4): PredictSource {
  const pixels = imageSize * imageSize * channels;
  const numRows = images.length / pixels;
  if (!Number.isInteger(numRows)) throw new RangeError(`${images.length} values are not whole ${imageSize}² × ${channels} images`);
  return {
    numRows,
    imageSize,
    channels,
    async *batches(batchSize: number) {
      if (!(batchSize >= 1)) throw new RangeError(`batch size must be ≥ 1, got ${batchSize}`);
      for (let s = 0; s < numRows; s += batchSize) yield { x: images.subarray(s * pixels, Math.min(numRows, s + batchSize) * pixels) };
    },
  };
}
