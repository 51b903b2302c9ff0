/**
 * MaxPoolGrad for the wasm backend, replacing tfjs-backend-wasm 4.22's, which routes the
 * gradient wrongly whenever every value in a pooling window is negative: the gradient lands on
 * the window's first element or is dropped (as if the running maximum started at 0, not −∞).
 * After a SELU/ELU/linear layer about 1 window in 16 of a 2×2 pool is all-negative, so every
 * layer below such a pool got gradients 15–40% off (GapNet-PL conv1–5).
 *
 * Semantics are the cpu backend's: the maximum starts at −∞, a later value must be strictly
 * greater to win (ties: the first in row-major window order wins), padded positions never win,
 * and windows that overlap add up. One pass over x in window order with the channel innermost,
 * reading and writing the wasm heap in place (BackendWasm.typedArrayFromHeap, as tfjs-backend-wasm's
 * own JavaScript kernels do): a copy in and out would cost as much as the loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface Attrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx for dy [B, OH, OW, C] through a 2-D max pool of x [B, H, W, C] (NHWC), as flat arrays; adds into `dx`. */
export function maxPoolGradValues(
  x: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  dx: Float32Array = new Float32Array(x.length),
): Float32Array {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0) {
    pool2x2Grad(x, dy, dx, B, H, W, C, OH, OW);
    return dx;
  }
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  let o = 0; // index of dy[b, oh, ow, 0]
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      for (let ow = 0; ow < OW; ow++, o += C) {
        const w0 = ow * sw - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let kh = 0; kh < fh; kh += dh) {
          const ih = h0 + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < fw; kw += dw) {
            const iw = w0 + kw;
            if (iw < 0 || iw >= W) continue;
            const base = ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += dy[o + c];
      }
    }
  }
  return dx;
}

/**
 * The 2×2 stride-2 pool without leading padding (GapNet's; 'same' pads odd sizes only at the
 * bottom/right). Whole windows are decided without a branch on the data: a branch on which of
 * four random values is largest mispredicts about once per window, which made this loop take
 * ~20 ns per window. Instead the floats become integer keys with the same order (−0 and +0 equal),
 * "p > q" is −floor((q − p) / 2³²) (exact in doubles), and the winner is picked by arithmetic.
 * A pairwise tournament (0 vs 1, 2 vs 3, then the two winners, ties to the earlier) gives the
 * same first-maximum-wins answer as the cpu backend's scan in row-major window order. NaN, which
 * the cpu backend never picks, orders above +∞ here. Windows cut by the bottom/right edge take
 * the plain comparisons.
 */
function pool2x2Grad(x: Float32Array, dy: Float32Array, dx: Float32Array, B: number, H: number, W: number, C: number, OH: number, OW: number): void {
  const row = W * C;
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  const fullH = H >> 1; // output rows whose window has both input rows
  const fullW = W >> 1;
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o += C) {
        const p00 = ((b * H + 2 * oh) * W + 2 * ow) * C;
        if (oh < fullH && ow < fullW) {
          for (let c = 0; c < C; c++) {
            const i0 = p00 + c;
            const i2 = i0 + row;
            const k0 = key(bits[i0]);
            const k1 = key(bits[i0 + C]);
            const k2 = key(bits[i2]);
            const k3 = key(bits[i2 + C]);
            const g01 = greater(k1, k0);
            const g23 = greater(k3, k2);
            const m01 = k0 + g01 * (k1 - k0);
            const m23 = k2 + g23 * (k3 - k2);
            const j01 = i0 + g01 * C;
            const j23 = i2 + g23 * C;
            dx[j01 + greater(m23, m01) * (j23 - j01)] += dy[o + c];
          }
          continue;
        }
        const down = 2 * oh + 1 < H; // the window's second row exists
        const right = 2 * ow + 1 < W;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          let i = p00 + c;
          if (x[i] > best) {
            best = x[i];
            at = i;
          }
          if (right) {
            i = p00 + C + c;
            if (x[i] > best) {
              best = x[i];
              at = i;
            }
          }
          if (down) {
            i = p00 + row + c;
            if (x[i] > best) {
              best = x[i];
              at = i;
            }
            if (right) {
              i = p00 + row + C + c;
              if (x[i] > best) at = i; // the last of the window: its value is not needed after
            }
          }
          if (at >= 0) dx[at] += dy[o + c];
        }
      }
    }
  }
}

/** An int with the float32's order, from its bits: magnitude for +, −magnitude for − (so ±0 → 0). */
function key(bitsOfFloat: number): number {
  const s = bitsOfFloat >> 31; // 0 or −1
  return ((bitsOfFloat & 0x7fffffff) ^ s) - s;
}

/** 1 if p > q else 0, for keys (|p − q| < 2³², exact in a double), without a branch. */
function greater(p: number, q: number): number {
  return -Math.floor((q - p) * 2.3283064365386963e-10);
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as Attrs;
    const shape = input.shape as [number, number, number, number];
    const info = tf.backend_util.computePool2DInfo(shape, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const be = backend as unknown as BackendWasm;
    const out = be.makeOutput(shape, 'float32'); // may grow the heap: take views after it
    const dx = (be.typedArrayFromHeap(out) as Float32Array).fill(0);
    maxPoolGradValues(be.typedArrayFromHeap(input) as Float32Array, be.typedArrayFromHeap(dy) as Float32Array, info, dx);
    return out;
  },
};
