/**
 * The geometry shared by the convolution gradient kernels of the wasm backend: which input
 * pixels each filter tap meets, expressed with the operations the wasm backend runs fast
 * (pad, reshape, 4-D transpose, contiguous slices, concat, matMul, forward convolutions).
 *
 * Strided access is never done with strided slices (slow on wasm): the padded input is split
 * into its stride phases by a reshape + transpose, after which every tap of the filter is one
 * contiguous slice of a flattened phase ("shifted flat view"): for output pixel n of the
 * padded grid and tap offset `off`, the input pixel is n + off. Grid positions outside the real
 * output see zeros in dy, so they add nothing.
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

export interface TapMatrix {
  /** [kH·kW·C, L] (tap-major, then channel): row (tap, c) holds x at that tap for every grid pixel */
  cols: tf.Tensor2D;
  /** grid height and width: the output grid that `cols`' columns run over (≥ outH, outW) */
  gridH: number;
  gridW: number;
  /** number of columns of `cols` (the grid size minus the largest tap offset) */
  length: number;
}

/**
 * Im2col in transposed layout: for each tap, the input pixels it meets, as a [C, L] block.
 * Costs one pad, one 4-D transpose, kH·kW contiguous 2-D slices and one concat.
 */
export function tapMatrix(x: tf.Tensor4D, g: ConvGeometry): TapMatrix {
  const [, , , C] = x.shape;
  const { strideH: sh, strideW: sw } = g;
  // The furthest phase block any tap reaches, per axis.
  const maxBlockH = Math.floor(((g.kH - 1) * g.dilationH) / sh);
  const maxBlockW = Math.floor(((g.kW - 1) * g.dilationW) / sw);
  const gridH = g.outH + maxBlockH;
  const gridW = g.outW + maxBlockW;
  // Bring x to exactly [B, sh·gridH, sw·gridW, C] in padded coordinates (pad and/or crop).
  const rows = sh * gridH;
  const colsW = sw * gridW;
  let xp: tf.Tensor4D = x;
  const cropH = Math.min(g.inH, rows - g.padTop);
  const cropW = Math.min(g.inW, colsW - g.padLeft);
  if (cropH < g.inH || cropW < g.inW) xp = tf.slice(xp, [0, 0, 0, 0], [g.batch, cropH, cropW, C]);
  const padBottom = rows - g.padTop - cropH;
  const padRight = colsW - g.padLeft - cropW;
  if (g.padTop || padBottom || g.padLeft || padRight) {
    xp = tf.pad(xp, [[0, 0], [g.padTop, padBottom], [g.padLeft, padRight], [0, 0]]);
  }
  const L = g.batch * gridH * gridW;
  // phases: [sh·sw, C, L]; phase (ph, pw) holds padded rows ph, ph+sh, … and columns pw, pw+sw, …
  let phases: tf.Tensor3D;
  if (sh === 1 && sw === 1) {
    phases = tf.reshape(tf.transpose(xp, [3, 0, 1, 2]), [1, C, L]);
  } else {
    const split = tf.reshape(xp, [g.batch * gridH, sh, gridW, sw * C]);
    // [B·gridH, sh, gridW, sw·C] → [sh, sw·C, B·gridH, gridW] → [sh, sw, C, L]
    const t = tf.transpose(split, [1, 3, 0, 2]);
    phases = tf.reshape(t, [sh * sw, C, L]);
  }
  const maxOff = maxBlockH * gridW + maxBlockW;
  const length = L - maxOff;
  const taps: tf.Tensor2D[] = [];
  const flat = tf.reshape(phases, [sh * sw * C, L]) as tf.Tensor2D;
  for (let kh = 0; kh < g.kH; kh++) {
    for (let kw = 0; kw < g.kW; kw++) {
      const oh = kh * g.dilationH;
      const ow = kw * g.dilationW;
      const phase = (oh % sh) * sw + (ow % sw);
      const off = Math.floor(oh / sh) * gridW + Math.floor(ow / sw);
      taps.push(tf.slice(flat, [phase * C, off], [C, length]));
    }
  }
  const cols = taps.length === 1 ? taps[0] : (tf.concat(taps, 0) as tf.Tensor2D);
  return { cols, gridH, gridW, length };
}

/** dy [B, outH, outW, K] placed on the tap matrix's grid, flattened: [length, K] (zeros off-grid). */
export function dyOnGrid(dy: tf.Tensor4D, g: ConvGeometry, m: TapMatrix): tf.Tensor2D {
  const K = dy.shape[3];
  let d: tf.Tensor4D = dy;
  if (m.gridH > g.outH || m.gridW > g.outW) d = tf.pad(d, [[0, 0], [0, m.gridH - g.outH], [0, m.gridW - g.outW], [0, 0]]);
  const flat = tf.reshape(d, [g.batch * m.gridH * m.gridW, K]) as tf.Tensor2D;
  return flat.shape[0] === m.length ? flat : tf.slice(flat, [0, 0], [m.length, K]);
}

/** dy [B, outH, outW, K] placed on the tap matrix's grid, channel-major: [K, length] (zeros off-grid). */
export function dyOnGridByChannel(dy: tf.Tensor4D, g: ConvGeometry, m: TapMatrix): tf.Tensor2D {
  const K = dy.shape[3];
  let d: tf.Tensor4D = dy;
  if (m.gridH > g.outH || m.gridW > g.outW) d = tf.pad(d, [[0, 0], [0, m.gridH - g.outH], [0, m.gridW - g.outW], [0, 0]]);
  const flat = tf.reshape(tf.transpose(d, [3, 0, 1, 2]), [K, g.batch * m.gridH * m.gridW]) as tf.Tensor2D;
  return flat.shape[1] === m.length ? flat : tf.slice(flat, [0, 0], [K, m.length]);
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
export function phaseWindow(
  dy: tf.Tensor4D,
  ph: PhasePlan,
  pw: PhasePlan,
): { dy: tf.Tensor4D; pad: [[number, number], [number, number]] } | null {
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
  return { dy: win, pad: [[h.before, h.after], [w.before, w.after]] };
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
    t.shape[1] === qh && t.shape[2] === qw ? t : tf.pad(t, [[0, 0], [0, qh - t.shape[1]], [0, qw - t.shape[2]], [0, 0]]);
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
