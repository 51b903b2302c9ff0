/**
 * The geometry shared by the convolution gradient kernels of the wasm backend: which input
 * pixels each filter tap meets, expressed with the operations the wasm backend runs fast
 * (its XNNPACK forward convolutions, matMul, 4-D transposes, depthToSpace, reshapes).
 *
 * Measured on wasm (Node 20, SIMD, 1 thread): Slice copies its *whole input* on every call
 * (readSync), so nine tap slices cost nine full copies; 2-D transposes are ~10× slower than
 * 4-D ones of the same size; matMul with transposeA/B is ~10× slower than a plain one.
 * Hence patches by a one-hot depthwise convolution, and input gradients by stride phases.
 */
import * as tf from '@tensorflow/tfjs';

/** The convolution as the gradient kernels need it (NHWC, 2-D). */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

export function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Im2col by one depthwise convolution: a one-hot filter [kH, kW, C, kH·kW] copies, for every
 * output pixel, the input pixel under each tap into its own channel, so the result
 * [B, outH, outW, C·kH·kW] holds (channel, tap) patches — with the convolution's own stride,
 * padding and dilation, in the wasm backend's XNNPACK kernel (no slices).
 */
export function patches(
  x: tf.Tensor4D,
  kH: number,
  kW: number,
  strides: [number, number] | number,
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dilations: [number, number] | number,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const C = x.shape[3];
  const K = kH * kW;
  const oneHot = new Float32Array(K * C * K);
  for (let t = 0; t < K; t++) for (let c = 0; c < C; c++) oneHot[(t * C + c) * K + t] = 1;
  const f = tf.tensor4d(oneHot, [kH, kW, C, K]);
  return tf.depthwiseConv2d(x, f, strides, pad, 'NHWC', dilations, dimRoundingMode);
}

/** One stride phase of the input gradient: the filter taps that reach it and how. */
export interface PhasePlan {
  /** tap indices along the axis, in the order the phase's sub-filter uses them (flipped) */
  taps: number[];
  /** dy offset of the sub-filter's first tap (may be negative: padding) */
  start: number;
  /** dilation of the phase's sub-filter */
  step: number;
  /** number of input rows (or columns) in this phase */
  count: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * For input index i = stride·q + r (r the phase), dx[i] = Σ_k dy[(i + pad − k·dil)/stride]·w[k]
 * over the taps k where that division is exact. Those taps are evenly spaced, so the phase is a
 * stride-1 correlation of dy with the flipped sub-filter: dx_r[q] = Σ_t dy[q + start + t·step]·w[taps[t]].
 */
export function phasePlan(r: number, inSize: number, k: number, stride: number, dilation: number, pad: number): PhasePlan {
  const taps: number[] = [];
  for (let t = k - 1; t >= 0; t--) if ((((r + pad - t * dilation) % stride) + stride) % stride === 0) taps.push(t);
  const count = Math.max(0, Math.ceil((inSize - r) / stride));
  if (taps.length === 0) return { taps, start: 0, step: 1, count };
  const start = (r + pad - taps[0] * dilation) / stride;
  const step = dilation / gcd(stride, dilation);
  return { taps, start, step, count };
}

/**
 * Runs `conv(dyWindow, padding)` on the part of dy a phase reads: crops dy where the phase
 * needs less than all of it and pads (through the convolution's own explicit padding, which
 * costs nothing) where it needs more. Null when the phase reads only padding.
 */
export function phaseWindow(dy: tf.Tensor4D, ph: PhasePlan, pw: PhasePlan): { dy: tf.Tensor4D; pad: [[number, number], [number, number]] } | null {
  const [B, OH, OW, K] = dy.shape;
  const span = (p: PhasePlan, n: number) => {
    const first = p.start;
    const last = p.start + (p.count - 1) + (p.taps.length - 1) * p.step;
    const lo = Math.max(0, first);
    const hi = Math.min(n - 1, last);
    return { lo, size: hi - lo + 1, before: Math.max(0, -first), after: Math.max(0, last - (n - 1)) };
  };
  const h = span(ph, OH);
  const w = span(pw, OW);
  if (h.size <= 0 || w.size <= 0) return null; // the phase reads only padding
  let win = dy;
  if (h.lo > 0 || w.lo > 0 || h.size < OH || w.size < OW) win = tf.slice(dy, [0, h.lo, w.lo, 0], [B, h.size, w.size, K]);
  return {
    dy: win,
    pad: [
      [h.before, h.after],
      [w.before, w.after],
    ],
  };
}

/**
 * Interleaves the stride phases of an input gradient, phases[rh][rw] of shape
 * [B, ceil((H−rh)/sh), ceil((W−rw)/sw), C], into [B, H, W, C] with reshapes and concats.
 */
export function interleavePhases(phases: tf.Tensor4D[][], H: number, W: number): tf.Tensor4D {
  const sh = phases.length;
  const sw = phases[0].length;
  if (sh === 1 && sw === 1) return phases[0][0];
  const [B, , , C] = phases[0][0].shape;
  const qh = Math.ceil(H / sh);
  const qw = Math.ceil(W / sw);
  const full = (t: tf.Tensor4D) =>
    t.shape[1] === qh && t.shape[2] === qw
      ? t
      : tf.pad(t, [
          [0, 0],
          [0, qh - t.shape[1]],
          [0, qw - t.shape[2]],
          [0, 0],
        ]);
  const rowsOut = phases.map((row) => {
    // [B, qh, qw, C] × sw → [B·qh·qw, sw·C] → [B, qh, qw·sw, C]
    const parts = row.map((t) => tf.reshape(full(t), [B * qh * qw, C]));
    const cat = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    return tf.reshape(cat, [B * qh, qw * sw * C]);
  });
  // [B·qh, qw·sw·C] × sh → [B·qh, sh·qw·sw·C] → [B, qh·sh, qw·sw, C]
  const cat = rowsOut.length === 1 ? rowsOut[0] : tf.concat(rowsOut, 1);
  let out = tf.reshape(cat, [B, qh * sh, qw * sw, C]) as tf.Tensor4D;
  if (qh * sh !== H || qw * sw !== W) out = tf.slice(out, [0, 0, 0, 0], [B, H, W, C]);
  return out;
}

/**
 * Depthwise gradients with dilation > 1 are refused, as tfjs's own depthwise gradient refuses
 * them (and its cpu kernels, the reference, ignore dilation there).
 */
export function assertNoDilation(dilations: [number, number] | number | undefined): void {
  const d = dilations ?? 1;
  const [dh, dw] = typeof d === 'number' ? [d, d] : d;
  if (dh !== 1 || dw !== 1) {
    throw new Error(`wasm depthwise convolution gradient: dilation ${dh}×${dw} is not supported (only 1, as in tfjs's own gradient)`);
  }
}
