/**
 * Im2col in the layout the filter gradient multiplies without a transpose:
 * cols[(kh, kw, c), (b, oy, ox)] = x[b, oy·s + kh·d − padTop, ox·s + kw·d − padLeft, c] (0 outside x),
 * read from x in channel-major order xT [C, B, H, W] so that every row of cols is a strided walk
 * along one image row. Rows come out in the filter's (kh, kw, cin) order, so
 * cols · dy[(b, oy, ox), cout] is the filter gradient [kh, kw, cin, cout] as it stands.
 *
 * A JavaScript loop on the wasm heap (BackendWasm.typedArrayFromHeap, as tfjs-backend-wasm's own
 * JavaScript kernels do), registered as a wasm kernel so that it appears in tf.profile and runs
 * inside tidy. Measured at GapNet-PL 128 px, batch 16 (Node 20, 1 thread): 1.3–4.1 ms per layer;
 * the one-hot depthwise im2col plus a 4-D transpose it replaces took 2–3× as long.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvGeometry } from './convTaps';

/** The kernel's name in tfjs's registry (wasm only). */
export const IM2COL_T = 'HpaIm2ColTransposed';

type Im2colAttrs = Pick<ConvGeometry, 'kH' | 'kW' | 'outH' | 'outW' | 'strideH' | 'strideW' | 'dilationH' | 'dilationW' | 'padTop' | 'padLeft'>;

/** Fills `out` ([kH·kW·C, B·outH·outW]) from `xT` ([C, B, H, W]); every element is written. */
export function im2colTransposedValues(xT: Float32Array, shape: readonly [number, number, number, number], g: Im2colAttrs, out: Float32Array): Float32Array {
  const [C, B, H, W] = shape;
  const { kH, kW, outH: oh, outW: ow, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop, padLeft } = g;
  let j = 0;
  for (let kh = 0; kh < kH; kh++) {
    const offY = kh * dh - padTop;
    for (let kw = 0; kw < kW; kw++) {
      const offX = kw * dw - padLeft;
      // output columns whose input column lies inside x: lo ≤ ox < hi
      let lo = 0;
      while (lo < ow && lo * sw + offX < 0) lo++;
      let hi = ow;
      while (hi > lo && (hi - 1) * sw + offX >= W) hi--;
      if (sh === 1 && sw === 1 && ow === W) {
        j = shiftedPlanes(xT, C * B, H, W, oh, offY, offX, lo, hi, out, j);
        continue;
      }
      for (let c = 0; c < C; c++) {
        for (let b = 0; b < B; b++) {
          const plane = (c * B + b) * H;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh + offY;
            if (iy < 0 || iy >= H) {
              out.fill(0, j, j + ow);
              j += ow;
              continue;
            }
            const row = (plane + iy) * W + offX;
            let ox = 0;
            for (; ox < lo; ox++) out[j++] = 0;
            if (sw === 1) for (; ox < hi; ox++) out[j++] = xT[row + ox];
            else for (; ox < hi; ox++) out[j++] = xT[row + ox * sw];
            for (; ox < ow; ox++) out[j++] = 0;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Stride 1 with output rows as wide as the input (a 'same' convolution): each output plane is the
 * input plane shifted by (offY, offX), so it is copied as one block (a memcpy) and the columns the
 * shift wrapped around are zeroed after — instead of one short loop per row (3.3 → ~0.5 ms for
 * GapNet-PL conv3 at 128 px, batch 16). Returns the next write position.
 */
function shiftedPlanes(
  xT: Float32Array,
  planes: number,
  H: number,
  W: number,
  oh: number,
  offY: number,
  offX: number,
  lo: number,
  hi: number,
  out: Float32Array,
  j: number,
): number {
  const yLo = Math.max(0, -offY); // output rows whose input row exists: yLo ≤ oy < yHi
  const yHi = Math.min(oh, H - offY);
  for (let p = 0; p < planes; p++, j += oh * W) {
    if (yHi <= yLo) {
      out.fill(0, j, j + oh * W);
      continue;
    }
    out.fill(0, j, j + yLo * W);
    out.fill(0, j + yHi * W, j + oh * W);
    // out[j + oy·W + ox] = xT[p·H·W + (oy + offY)·W + ox + offX] for the rows yLo…yHi−1, clamped to xT
    const dst = j + yLo * W;
    const src = p * H * W + (yLo + offY) * W + offX;
    const n = (yHi - yLo) * W;
    const from = Math.max(src, 0);
    const to = Math.min(src + n, xT.length);
    out.set(xT.subarray(from, to), dst + (from - src));
    for (let oy = yLo; oy < yHi; oy++) {
      const r = j + oy * W;
      for (let ox = 0; ox < lo; ox++) out[r + ox] = 0;
      for (let ox = hi; ox < W; ox++) out[r + ox] = 0;
    }
  }
  return j;
}

export const im2colTConfig: tf.KernelConfig = {
  kernelName: IM2COL_T,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { xT } = inputs as unknown as { xT: tf.TensorInfo };
    const g = attrs as unknown as Im2colAttrs;
    const [C, B] = xT.shape;
    const be = backend as unknown as BackendWasm;
    const out = be.makeOutput([g.kH * g.kW * C, B * g.outH * g.outW], 'float32'); // may grow the heap: views after it
    im2colTransposedValues(
      be.typedArrayFromHeap(xT) as Float32Array,
      xT.shape as [number, number, number, number],
      g,
      be.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  },
};

/** cols [kH·kW·C, B·outH·outW] of xT [C, B, H, W] for the convolution `g` (wasm backend). */
export function im2colTransposed(xT: tf.Tensor4D, g: ConvGeometry): tf.Tensor2D {
  const attrs: Im2colAttrs = {
    kH: g.kH,
    kW: g.kW,
    outH: g.outH,
    outW: g.outW,
    strideH: g.strideH,
    strideW: g.strideW,
    dilationH: g.dilationH,
    dilationW: g.dilationW,
    padTop: g.padTop,
    padLeft: g.padLeft,
  };
  return tf.engine().runKernel(IM2COL_T, { xT }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
