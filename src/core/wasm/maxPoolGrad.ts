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
export function maxPoolGradValues(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo, dx: Float32Array = new Float32Array(x.length)): Float32Array {
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
 * bottom/right): the same comparisons in the same order, without the per-window bookkeeping.
 */
function pool2x2Grad(x: Float32Array, dy: Float32Array, dx: Float32Array, B: number, H: number, W: number, C: number, OH: number, OW: number): void {
  const row = W * C;
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const down = 2 * oh + 1 < H; // the window's second row exists
      for (let ow = 0; ow < OW; ow++, o += C) {
        const p00 = ((b * H + 2 * oh) * W + 2 * ow) * C;
        const right = 2 * ow + 1 < W;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          let i = p00 + c;
          if (x[i] > best) { best = x[i]; at = i; }
          if (right) { i = p00 + C + c; if (x[i] > best) { best = x[i]; at = i; } }
          if (down) {
            i = p00 + row + c;
            if (x[i] > best) { best = x[i]; at = i; }
            if (right) { i = p00 + row + C + c; if (x[i] > best) { best = x[i]; at = i; } }
          }
          if (at >= 0) dx[at] += dy[o + c];
        }
      }
    }
  }
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
