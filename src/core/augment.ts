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
import { claimUpload } from './train/stepRunner';

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

/**
 * Kernel name: input `x`, int32 [n / 4] (4 bytes per value); attr `size`: n; output float32 [n].
 * A backend that registers it (src/accel/webgpu/uint8Upload.ts on webgpu) takes image batches as
 * bytes and widens them itself; elsewhere uint8Tensor converts them in JavaScript.
 */
export const UINT8_TO_FLOAT32 = 'HpaUint8ToFloat32';

/** Whether the active backend turns uploaded bytes into floats itself. */
export function hasUint8Upload(): boolean {
  return tf.getKernel(UINT8_TO_FLOAT32, tf.getBackend()) !== undefined;
}

/**
 * A float32 tensor of the given shape holding `bytes` (values 0..255): uploaded as bytes where the
 * backend supports it, else through tfjs's float conversion. The caller owns the result.
 */
export function uint8Tensor(bytes: Uint8Array, shape: number[], feed?: string): tf.Tensor {
  const n = bytes.length;
  if (shape.reduce((a, b) => a * b, 1) !== n) throw new RangeError(`${n} bytes cannot fill shape [${shape}]`);
  if (!hasUint8Upload() || n === 0) {
    const t = tf.tensor(bytes, shape, 'float32');
    if (feed) claimUpload(t, feed, (f) => Float32Array.from(f[feed] as Uint8Array));
    return t;
  }
  const words = Math.ceil(n / 4);
  // an int32 view needs 4-byte alignment and whole words; otherwise copy into a fresh buffer
  const aligned =
    bytes.byteOffset % 4 === 0 && n % 4 === 0
      ? bytes
      : (() => {
          const c = new Uint8Array(words * 4);
          c.set(bytes);
          return c;
        })();
  const packed = tf.tensor1d(new Int32Array(aligned.buffer, aligned.byteOffset, words), 'int32');
  // a recorded training step's batch: a replay writes the next batch's bytes here (src/accel/webgpu/stepReplay.ts)
  if (feed) claimUpload(packed, feed, (f) => f[feed]);
  try {
    const flat = tf.engine().runKernel(UINT8_TO_FLOAT32, { x: packed }, { size: n }) as tf.Tensor;
    const out = flat.reshape(shape);
    flat.dispose();
    return out;
  } finally {
    packed.dispose();
  }
}

/**
 * A [b, S, S, c] float32 tensor from a batch given as a tensor or as uint8 pixels. `feed`: the name
 * under which a recorded training step's replay takes the next batch's bytes (the trainer's 'x').
 */
export function batchTensor(x: tf.Tensor | Uint8Array, batch: number, channels = 4, feed?: string): tf.Tensor4D {
  if (x instanceof Uint8Array) {
    const side = batchSide(x, batch, channels);
    return uint8Tensor(x, [batch, side, side, channels], feed) as tf.Tensor4D; // as bytes where the backend can
  }
  if (x.rank !== 4) throw new RangeError(`image batch must be [b, h, w, c], got shape [${x.shape}]`);
  return (x.dtype === 'float32' ? tf.clone(x) : tf.cast(x, 'float32')) as tf.Tensor4D;
}

/** The stored side S of a batch of `batch` square images given as uint8 pixels or as a [b, S, S, c] tensor. */
export function batchSide(x: tf.Tensor | Uint8Array, batch: number, channels = 4): number {
  if (!(x instanceof Uint8Array)) return x.shape[1] as number;
  const side = Math.round(Math.sqrt(x.length / (batch * channels)));
  if (side * side * batch * channels !== x.length) throw new RangeError(`a batch of ${batch} square ${channels}-channel images cannot hold ${x.length} values`);
  return side;
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

/**
 * Where output pixel (p, q) of an s×s window comes from under dihedral transform k: row r0 + rp·p + rq·q
 * and column c0 + cp·p + cq·q of the window, with n = s − 1 (the same maps as `dihedral`, written out).
 */
function dihedralMap(k: number, n: number): [r0: number, rp: number, rq: number, c0: number, cp: number, cq: number] {
  switch (k) {
    case 0:
      return [0, 1, 0, 0, 0, 1]; // (p, q)
    case 1:
      return [0, 0, 1, n, -1, 0]; // (q, n − p): one quarter turn
    case 2:
      return [n, -1, 0, n, 0, -1]; // (n − p, n − q)
    case 3:
      return [n, 0, -1, 0, 1, 0]; // (n − q, p)
    case 4:
      return [0, 1, 0, n, 0, -1]; // (p, n − q): mirrored
    case 5:
      return [n, 0, -1, n, -1, 0]; // (n − q, n − p)
    case 6:
      return [n, -1, 0, 0, 0, 1]; // (n − p, q)
    case 7:
      return [0, 0, 1, 0, 1, 0]; // (q, p)
    default:
      throw new RangeError(`dihedral transform must be 0..7, got ${k}`);
  }
}

/**
 * The same transforms image by image: split the batch, slice each window, turn each image (about 5
 * kernels per image). The way for a backend whose gather fails its check, and the bench's "before".
 * The transforms are not checked here: applyTransforms checks them.
 */
export function cutEachImage(x: tf.Tensor4D, transforms: readonly SampleTransform[], size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const images = tf.split(x, x.shape[0], 0) as tf.Tensor4D[];
    return tf.concat(
      images.map((img, i) => dihedral(tf.slice(img, [0, transforms[i].top, transforms[i].left, 0], [1, size, size, x.shape[3]]), transforms[i].k)),
      0,
    );
  });
}

/**
 * Flat source positions in a [n·H·W] stack of images: output (i, p, q) reads A[i·s + p] + B[i·s + q].
 */
function sourceTables(transforms: readonly SampleTransform[], s: number, H: number, W: number): { A: Int32Array; B: Int32Array } {
  const A = new Int32Array(transforms.length * s);
  const B = new Int32Array(transforms.length * s);
  transforms.forEach((t, i) => {
    const [r0, rp, rq, c0, cp, cq] = dihedralMap(t.k, s - 1);
    const base = i * H * W + (t.top + r0) * W + t.left + c0;
    for (let j = 0; j < s; j++) {
      A[i * s + j] = base + (rp * W + cp) * j;
      B[i * s + j] = (rq * W + cq) * j;
    }
  });
  return { A, B };
}

/** Positions per gather: WebGL holds int32 as float32, exact up to 2^24. */
const MAX_GATHER_POSITIONS = 2 ** 24;

/** Backends whose add and gather failed `verifyAugmentGather`: there images are cut one by one. */
const gatherFailed = new Set<string>();

/**
 * How applyTransforms will move a batch's pixels: a copy (nothing moves), one gather per part of the
 * batch from the two position tables of each part, or image by image. The trainer's step replay
 * (src/accel/webgpu/stepReplay.ts) reads it too: a replayed step only takes new tables, so it must know
 * that this batch moves the way the recorded one did.
 */
export type TransformPlan =
  { kind: 'copy' } | { kind: 'cut' } | { kind: 'gather'; H: number; W: number; parts: Array<{ first: number; n: number; A: Int32Array; B: Int32Array }> };

/**
 * The plan for a [b, h, w, c] batch (checking the transforms). `stored`: h = w of the batch as it
 * arrives; a resize first brings it to o.size.
 */
export function transformPlan(shape: readonly number[], transforms: readonly SampleTransform[], o: Pick<AugmentOptions, 'size' | 'mode'>): TransformPlan {
  const [b, h, w] = shape;
  if (transforms.length !== b) throw new RangeError(`${transforms.length} transforms for a batch of ${b}`);
  const s = o.size;
  const [H, W] = o.mode === 'resize' && (h !== s || w !== s) ? [s, s] : [h, w];
  transforms.forEach((t, i) => {
    if (!Number.isInteger(t.k) || t.k < 0 || t.k > 7) throw new RangeError(`image ${i}: dihedral transform must be 0..7, got ${t.k}`);
    if (!Number.isInteger(t.top) || !Number.isInteger(t.left) || t.top < 0 || t.left < 0 || t.top + s > H || t.left + s > W) {
      throw new RangeError(`image ${i}: a ${s}×${s} window at (${t.top}, ${t.left}) does not fit a ${H}×${W} image`);
    }
  });
  if (H === s && W === s && transforms.every((t) => t.k === 0)) return { kind: 'copy' }; // nothing moves
  if (gatherFailed.has(tf.getBackend())) return { kind: 'cut' };
  const per = Math.max(1, Math.floor(MAX_GATHER_POSITIONS / (H * W)));
  const parts = [];
  for (let first = 0; first < b; first += per) {
    const n = Math.min(per, b - first);
    parts.push({ first, n, ...sourceTables(transforms.slice(first, first + n), s, H, W) });
  }
  return { kind: 'gather', H, W, parts };
}

/** A short name for a plan's shape of work: two batches with the same key run the same kernels. */
export const transformPlanKey = (p: TransformPlan): string => (p.kind === 'gather' ? `gather ${p.H}x${p.W} ${p.parts.map((q) => q.n).join('+')}` : p.kind);

/** The per-step values of a gather plan, named as applyTransforms claims them (with the same `feed`) for a step replay. */
export function transformFeeds(p: TransformPlan, feed: string): Record<string, Int32Array> {
  const feeds: Record<string, Int32Array> = {};
  if (p.kind === 'gather') p.parts.forEach((q, i) => Object.assign(feeds, { [`${feed} A${i}`]: q.A, [`${feed} B${i}`]: q.B }));
  return feeds;
}

/**
 * Applies given transforms to a float32 [b, S, S, c] batch, giving [b, s, s, c]: each image its own crop
 * window and dihedral transform, in one gather. The source pixel of output (i, p, q) is
 * A[i, p] + B[i, q] (a flat position in the batch), so two small integer tables go up and the backend
 * runs one add and one gather, whatever the batch: cutting and turning image by image launched about 5
 * kernels per image (157 for a batch of 32), as many as the training step itself. That way remains for
 * a backend whose gather fails `verifyAugmentGather`. With `feed` (random transforms in training),
 * the tables are claimed under that name as the step's per-step values while a step is being
 * recorded (src/accel/webgpu/stepReplay.ts; see transformFeeds); without it they are taken as the same for
 * every batch of this shape (evaluation's fixed windows), which the recording checks.
 */
export function applyTransforms(
  x: tf.Tensor4D,
  transforms: readonly SampleTransform[],
  o: Pick<AugmentOptions, 'size' | 'mode'>,
  plan = transformPlan(x.shape, transforms, o),
  feed?: string,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const s = o.size;
    const sized = o.mode === 'resize' && (h !== s || w !== s) ? tf.image.resizeBilinear(x, [s, s]) : x;
    if (plan.kind === 'copy') return tf.clone(sized);
    if (plan.kind === 'cut') return cutEachImage(sized, transforms, s);
    const { H, W } = plan;
    // Flat positions over the whole stack, not gather's batchDims: tfjs 4.22's wasm gather steps through
    // batches wrongly with batchDims (tensorflow/tfjs#8658; verifyAugmentGather caught it).
    const parts = plan.parts.map(({ first, n, A, B }, i) => {
      const tA = tf.tensor3d(A, [n, s, 1], 'int32');
      const tB = tf.tensor3d(B, [n, 1, s], 'int32');
      if (feed) {
        claimUpload(tA, `${feed} A${i}`, (f) => f[`${feed} A${i}`]);
        claimUpload(tB, `${feed} B${i}`, (f) => f[`${feed} B${i}`]);
      }
      const index = tf.add(tA, tB).reshape([n * s * s]);
      const stack = n === b ? sized : tf.slice(sized, [first, 0, 0, 0], [n, H, W, c]);
      return tf.gather(tf.reshape(stack, [n * H * W, c]), index).reshape([n, s, s, c]) as tf.Tensor4D;
    });
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  });
}

/**
 * Checks the one-gather augmentation on the active backend: 64 images of 20×20×4 (enough that the add
 * and the gather run on the backend, not handed to the CPU as tiny ops are), each cut and turned its own
 * way, against the same positions read in JavaScript. Null when every value matched; otherwise what
 * differed, and from then on images are cut and turned one by one on this backend.
 */
export async function verifyAugmentGather(): Promise<string | null> {
  const backend = tf.getBackend();
  const [b, S, c, s] = [64, 20, 4, 17];
  const values = Float32Array.from({ length: b * S * S * c }, (_, i) => i);
  const transforms = Array.from({ length: b }, (_, i) => ({ k: i % 8, top: (i * 5) % (S - s + 1), left: (i * 3) % (S - s + 1) }));
  gatherFailed.delete(backend);
  const x = tf.tensor4d(values, [b, S, S, c]);
  const y = applyTransforms(x, transforms, { size: s, mode: 'crop' });
  try {
    const got = await y.data();
    const { A, B } = sourceTables(transforms, s, S, S);
    for (let i = 0; i < b; i++) {
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          for (let ch = 0; ch < c; ch++) {
            const want = values[(A[i * s + p] + B[i * s + q]) * c + ch];
            const at = ((i * s + p) * s + q) * c + ch;
            if (got[at] !== want) {
              gatherFailed.add(backend);
              return `self-check failed on ${backend} (image ${i}, pixel (${p}, ${q}), channel ${ch}: ${got[at]} vs ${want}); images are cut and turned one by one`;
            }
          }
        }
      }
    }
    return null;
  } finally {
    tf.dispose([x, y]);
  }
}

/** Training-time augmentation of a batch: random crop or resize, random flips/rotations. */
export function augmentBatch(x: tf.Tensor4D, o: AugmentOptions, rng: Rng): tf.Tensor4D {
  return applyTransforms(x, drawTransforms(x.shape[0], x.shape[1], o, rng), o);
}

/** Evaluation-time preparation: the centre crop or the resize, and dihedral transform k (default none). */
export function evalBatch(x: tf.Tensor4D, o: Pick<AugmentOptions, 'size' | 'mode'>, k = 0): tf.Tensor4D {
  return applyTransforms(x, evalTransforms(x.shape[0], x.shape[1], o, k), o);
}

/** Evaluation-time transforms of a batch of `batch` stored `stored` px images: the centre window (or the whole image) and dihedral k. */
export function evalTransforms(batch: number, stored: number, o: Pick<AugmentOptions, 'size' | 'mode'>, k = 0): SampleTransform[] {
  if (o.size > stored) throw new RangeError(`cannot ${o.mode} ${stored} px images up to ${o.size} px`);
  const off = o.mode === 'crop' ? Math.floor((stored - o.size) / 2) : 0;
  return Array.from({ length: batch }, () => ({ k, top: off, left: off }));
}
