/**
 * Augmentation inside the batch pipeline, as tfjs ops on the backend that trains.
 *
 * A batch arrives at its stored resolution S (uint8 values, as a Uint8Array or a tensor) and leaves
 * as float32 [b, s, s, c] at the model's input size s:
 *  - size: 'resize' (bilinear S → s, the whole image) or 'crop' (a random s×s window in training,
 *    the centre window at evaluation; the seed's 256 crops from 512 beat resizing);
 *  - flips and 90° rotations: one of the 8 dihedral transforms per image, drawn from the seeded Rng.
 * Pixel values stay on the 0..255 scale: the model's first layer normalises.
 *
 * Dihedral transform k ∈ 0..7: rotate by (k mod 4) quarter turns counter-clockwise (as numpy's
 * rot90 on the H, W axes), then, for k ≥ 4, mirror left-right. The same 8 give test-time
 * augmentation (predict on each and combine).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';
import { uint8Tensor } from './webgpu/uint8Upload';

export type ResizeMode = 'resize' | 'crop';

export interface AugmentOptions {
  /** model input side s */
  size: number;
  mode: ResizeMode;
  /** random left-right and up-down mirroring */
  flips: boolean;
  /** random quarter turns */
  rotate90: boolean;
}

/** What was done to one image of a batch. */
export interface SampleTransform {
  /** dihedral transform 0..7 */
  k: number;
  /** crop window origin (0, 0 for 'resize') */
  top: number;
  left: number;
}

export const DIHEDRAL_TRANSFORMS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7];

/** Applies dihedral transform k to every image of a [b, h, w, c] batch (h = w for odd k). */
export function dihedral(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (!Number.isInteger(k) || k < 0 || k > 7) throw new RangeError(`dihedral transform must be 0..7, got ${k}`);
  return tf.tidy(() => {
    let y = x;
    for (let r = 0; r < (k & 3); r++) y = tf.reverse(tf.transpose(y, [0, 2, 1, 3]), 1);
    if (k >= 4) y = tf.reverse(y, 2);
    return k === 0 ? tf.clone(y) : y;
  });
}

/** A [b, S, S, c] float32 tensor from a batch given as a tensor or as uint8 pixels. */
export function batchTensor(x: tf.Tensor | Uint8Array, batch: number, channels = 4): tf.Tensor4D {
  if (x instanceof Uint8Array) {
    const side = Math.round(Math.sqrt(x.length / (batch * channels)));
    if (side * side * batch * channels !== x.length) throw new RangeError(`a batch of ${batch} square ${channels}-channel images cannot hold ${x.length} values`);
    return uint8Tensor(x, [batch, side, side, channels]) as tf.Tensor4D; // as bytes where the backend can
  }
  if (x.rank !== 4) throw new RangeError(`image batch must be [b, h, w, c], got shape [${x.shape}]`);
  return (x.dtype === 'float32' ? tf.clone(x) : tf.cast(x, 'float32')) as tf.Tensor4D;
}

/** Draws each image's transform: a crop origin (mode 'crop') and a dihedral index. */
export function drawTransforms(batch: number, stored: number, o: AugmentOptions, rng: Rng): SampleTransform[] {
  if (o.size > stored) throw new RangeError(`cannot ${o.mode} ${stored} px images up to ${o.size} px`);
  return Array.from({ length: batch }, () => {
    const top = o.mode === 'crop' ? rng.int(stored - o.size + 1) : 0;
    const left = o.mode === 'crop' ? rng.int(stored - o.size + 1) : 0;
    const rot = o.rotate90 ? rng.int(4) : 0;
    const flip = o.flips ? rng.int(2) : 0;
    return { k: rot + 4 * flip, top, left };
  });
}

/** Applies given transforms to a float32 [b, S, S, c] batch, giving [b, s, s, c]. */
export function applyTransforms(x: tf.Tensor4D, transforms: readonly SampleTransform[], o: Pick<AugmentOptions, 'size' | 'mode'>): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    if (transforms.length !== b) throw new RangeError(`${transforms.length} transforms for a batch of ${b}`);
    const sized = o.mode === 'resize' && (h !== o.size || w !== o.size) ? tf.image.resizeBilinear(x, [o.size, o.size]) : x;
    const images = tf.split(sized, b, 0) as tf.Tensor4D[];
    const out = images.map((img, i) => {
      const t = transforms[i];
      const cropped = o.mode === 'crop' ? tf.slice(img, [0, t.top, t.left, 0], [1, o.size, o.size, c]) : img;
      return t.k === 0 ? cropped : dihedral(cropped, t.k);
    });
    return tf.concat(out, 0);
  });
}

/** Training-time augmentation of a batch: random crop or resize, random flips/rotations. */
export function augmentBatch(x: tf.Tensor4D, o: AugmentOptions, rng: Rng): tf.Tensor4D {
  return applyTransforms(x, drawTransforms(x.shape[0], x.shape[1], o, rng), o);
}

/** Evaluation-time preparation: the centre crop or the resize, and dihedral transform k (default none). */
export function evalBatch(x: tf.Tensor4D, o: Pick<AugmentOptions, 'size' | 'mode'>, k = 0): tf.Tensor4D {
  const stored = x.shape[1];
  if (o.size > stored) throw new RangeError(`cannot ${o.mode} ${stored} px images up to ${o.size} px`);
  const off = o.mode === 'crop' ? Math.floor((stored - o.size) / 2) : 0;
  return applyTransforms(x, Array.from({ length: x.shape[0] }, () => ({ k, top: off, left: off })), o);
}
