/**
 * The conv input gradient as forward convolutions, on webgpu.
 *
 * At stride 1, dx is dy convolved with the filter turned by 180° and its input and output channels
 * swapped, padded by k − 1 − p on each side where the forward convolution padded by p: the same
 * products and sums as Conv2DBackpropInput. tfjs-backend-webgpu 4.22's input-gradient program
 * (Conv2DDerInputMMProgram, see ./conv2dInputGrad.ts) gathers each vec4 of the filter from four
 * scalar reads and decides per element whether a tap lands; its forward program (Conv2DMMProgram)
 * reads both operands as vec4. On an NVIDIA H200 GAPNet-PL's 7 input gradients took 2.0 GPU ms per
 * 256 px b32 step against 1.3 ms for its 8 forward convolutions, which do a similar count of
 * multiply-adds (bench/results/gpu-h200-summary.md).
 *
 * At stride 2 tfjs's program runs all k × k taps for every pixel of dx and zeroes the ¾ that do not
 * land (on SwiftShader GAPNet-PL's one stride-2 input gradient took 653 of its 1,568 input-gradient
 * ms). Split by the parity of dx's row and column, each quarter of dx is a stride-1 convolution of
 * dy with the taps of that parity only (2×2, 2×1, 1×2 and 1×1 of a 3×3 filter), turned likewise;
 * one more pass interleaves the four quarters into dx. Only useful multiply-adds are done.
 *
 * So on webgpu Conv2DBackpropInput at strides 1 and 2 turns the filter (or each parity's taps) in
 * one small pass each (HpaConvFilterFlip) and runs tfjs's own Conv2D kernel with the pads above
 * (inputGradPhases); at stride 2 HpaConvPhaseInterleave writes dx. Other strides, and a phase with
 * no taps, go to tfjs's kernel. `HPA_CONV_INPUT_GRAD_AS_CONV=false` is the before;
 * verifyConvInputGradAsConv() compares the two on the running GPU at backend start and puts
 * tfjs's kernel back on any difference.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { intUniforms, namedProgram, WORKGROUP } from './elementwise';
import { accelFlag, CONV_INPUT_GRAD_AS_CONV_FLAG, setAccelFlag } from '../flags';

const KERNEL = 'Conv2DBackpropInput';

/**
 * A phase's taps turned: out[m, n, o, i] = W[sy·(my − 1 − m) + cy, sx·(mx − 1 − n) + cx, i, o]
 * (at stride 1 the whole filter turned by 180°), in and out channels swapped.
 */
function flipProgram(kw: number, ci: number, co: number, ph: InputGradPhase, sy: number, sx: number) {
  const n = ph.my * ph.mx * ci * co;
  return {
    program: namedProgram('HpaConvFilterFlip', {
      variableNames: ['W'],
      outputShape: [n],
      shaderKey: 'hpaConvFilterFlip',
      dispatchLayout: { x: [0] },
      dispatch: [Math.ceil(n / WORKGROUP), 1, 1],
      workgroupSize: [WORKGROUP, 1, 1],
      size: true,
      uniforms: 'kw : i32, ci : i32, co : i32, my : i32, mx : i32, cy : i32, cx : i32, sy : i32, sx : i32,',
      getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let i = index % uniforms.ci;
          let o = (index / uniforms.ci) % uniforms.co;
          let b = (index / (uniforms.ci * uniforms.co)) % uniforms.mx;
          let a = index / (uniforms.ci * uniforms.co * uniforms.mx);
          let row = uniforms.sy * (uniforms.my - 1 - a) + uniforms.cy;
          let col = uniforms.sx * (uniforms.mx - 1 - b) + uniforms.cx;
          setOutputAtIndex(index, W[((row * uniforms.kw + col) * uniforms.ci + i) * uniforms.co + o]);
        }
      }
    `,
    }),
    uniforms: intUniforms(kw, ci, co, ph.my, ph.mx, ph.cy, ph.cx, sy, sx),
  };
}

/** dx from its four parity quarters (stride 2): dx[n, 2u + ry, 2v + rx, c] = quarter (ry, rx)[n, u, v, c]. */
function interleaveProgram(shape: number[], rows: [number, number], cols: [number, number]) {
  const [, h, w, c] = shape;
  const n = shape.reduce((a, b) => a * b, 1);
  const read = (q: number) => `p${q}[((b * uniforms.rows${q >> 1} + u) * uniforms.cols${q & 1} + v) * uniforms.c + ch]`;
  return {
    program: namedProgram('HpaConvPhaseInterleave', {
      variableNames: ['p0', 'p1', 'p2', 'p3'],
      outputShape: [n],
      shaderKey: 'hpaConvPhaseInterleave',
      dispatchLayout: { x: [0] },
      dispatch: [Math.ceil(n / WORKGROUP), 1, 1],
      workgroupSize: [WORKGROUP, 1, 1],
      size: true,
      uniforms: 'h : i32, w : i32, c : i32, rows0 : i32, rows1 : i32, cols0 : i32, cols1 : i32,',
      getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let ch = index % uniforms.c;
          let x = (index / uniforms.c) % uniforms.w;
          let y = (index / (uniforms.c * uniforms.w)) % uniforms.h;
          let b = index / (uniforms.c * uniforms.w * uniforms.h);
          let u = y / 2;
          let v = x / 2;
          let q = (y % 2) * 2 + x % 2;
          var value = 0.0;
          if (q == 0) { value = ${read(0)}; } else if (q == 1) { value = ${read(1)}; } else if (q == 2) { value = ${read(2)}; } else { value = ${read(3)}; }
          setOutputAtIndex(index, value);
        }
      }
    `,
    }),
    uniforms: intUniforms(h, w, c, rows[0], rows[1], cols[0], cols[1]),
  };
}

interface BackpropInputAttrs {
  inputShape: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** One phase of dx along an axis: its taps c, c + s, …, (m of them), the stride-1 pads before/after for dy, and its length. */
interface AxisPhase {
  c: number;
  m: number;
  before: number;
  after: number;
  length: number;
}

/** The phases of one axis (residues r = 0 … s − 1 of dx's index), or null where one has no taps or would need a negative pad. */
function axisPhases(size: number, k: number, s: number, padBefore: number, outSize: number): AxisPhase[] | null {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < s; r++) {
    const c = (r + padBefore) % s;
    const m = Math.ceil((k - c) / s);
    const d = (r + padBefore - c) / s;
    const length = Math.ceil((size - r) / s);
    const before = m - 1 - d;
    const after = length + m - 1 - outSize - before;
    if (m <= 0 || length <= 0 || before < 0 || after < 0) return null;
    phases.push({ c, m, before, after, length });
  }
  return phases;
}

/**
 * One quarter of dx (rows ≡ ry, columns ≡ rx modulo the stride; the whole of dx at stride 1): the
 * taps of that parity (cy, cy + sy, … my of them; likewise across) and the pads of the stride-1
 * convolution of dy that gives it ([top, bottom, left, right]), and its size.
 */
export interface InputGradPhase {
  ry: number;
  rx: number;
  cy: number;
  cx: number;
  my: number;
  mx: number;
  pads: [number, number, number, number];
  rows: number;
  cols: number;
}

/** dx's phases as stride-1 convolutions of dy (1 at stride 1, 4 at stride 2), or null where this path does not apply. */
export function inputGradPhases(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: Pick<BackpropInputAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): InputGradPhase[] | null {
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const [sy, sx] = [info.strideHeight, info.strideWidth];
  if (sy !== sx || (sy !== 1 && sy !== 2)) return null;
  const ys = axisPhases(info.inHeight, info.filterHeight, sy, info.padInfo.top, info.outHeight);
  const xs = axisPhases(info.inWidth, info.filterWidth, sx, info.padInfo.left, info.outWidth);
  if (!ys || !xs) return null;
  return ys.flatMap((py, ry) =>
    xs.map((px, rx) => ({
      ry,
      rx,
      cy: py.c,
      cx: px.c,
      my: py.m,
      mx: px.m,
      pads: [py.before, py.after, px.before, px.after] as [number, number, number, number],
      rows: py.length,
      cols: px.length,
    })),
  );
}

let tfjsKernel: tf.KernelConfig | null = null;

const config: tf.KernelConfig = {
  kernelName: KERNEL,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const own = tfjsKernel!;
    const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as BackpropInputAttrs;
    const phases =
      accelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG) && dy.dtype === 'float32' && filter.dtype === 'float32'
        ? inputGradPhases(attrs.inputShape, filter.shape as [number, number, number, number], attrs)
        : null;
    const conv = tf.getKernel('Conv2D', 'webgpu');
    if (!phases || !conv) return own.kernelFunc(args);
    const be = args.backend as WebGPUBackend;
    const [, kw, ci, co] = filter.shape;
    const stride = phases.length === 1 ? 1 : 2;
    const quarters = phases.map((ph) => {
      const flip = flipProgram(kw, ci, co, ph, stride, stride);
      const flat = be.runWebGPUProgram(flip.program, [{ ...filter, shape: [filter.shape.reduce((a, b) => a * b, 1)] }], 'float32', flip.uniforms);
      const [top, bottom, left, right] = ph.pads;
      const out = conv.kernelFunc({
        inputs: { x: dy, filter: { ...flat, shape: [ph.my, ph.mx, co, ci] } },
        backend: be,
        attrs: {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
        } as unknown as tf.NamedAttrMap,
      }) as tf.TensorInfo;
      be.disposeData(flat.dataId); // released once the submitted work that reads it is done
      return out;
    });
    if (stride === 1) return quarters[0];
    const rows: [number, number] = [phases[0].rows, phases[2].rows];
    const cols: [number, number] = [phases[0].cols, phases[1].cols];
    const weave = interleaveProgram(attrs.inputShape, rows, cols);
    const dx = be.runWebGPUProgram(
      weave.program,
      quarters.map((q) => ({ ...q, shape: [q.shape.reduce((a, b) => a * b, 1)] })),
      'float32',
      weave.uniforms,
    );
    for (const q of quarters) be.disposeData(q.dataId);
    return { ...dx, shape: attrs.inputShape };
  },
};

/** Puts the forward-convolution path in front of tfjs's webgpu Conv2DBackpropInput (idempotent; tfjs's is kept for the rest). */
export function registerWebGpuConvInputGradAsConv(): void {
  const current = tf.getKernel(KERNEL, 'webgpu');
  if (!current || current.kernelFunc === config.kernelFunc) return;
  tfjsKernel = current;
  tf.unregisterKernel(KERNEL, 'webgpu');
  tf.registerKernel(config);
}

/** Puts tfjs's own webgpu Conv2DBackpropInput back. */
export function restoreTfjsConvInputGrad(): void {
  if (!tfjsKernel || tf.getKernel(KERNEL, 'webgpu')?.kernelFunc !== config.kernelFunc) return;
  tf.unregisterKernel(KERNEL, 'webgpu');
  tf.registerKernel(tfjsKernel);
}

/** Whether the forward-convolution path is the webgpu Conv2DBackpropInput now. */
export const hasConvInputGradAsConv = (): boolean => tf.getKernel(KERNEL, 'webgpu')?.kernelFunc === config.kernelFunc;

/** A conv input gradient to compare: the forward conv's input shape, filter, stride and padding. */
export interface InputGradCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

/** Conv2DBackpropInput of `c` as the registered kernel runs it now (flags as set by the caller). */
export function runInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, c: InputGradCase): tf.Tensor {
  return tf.engine().runKernel(KERNEL, { dy, filter }, {
    inputShape: c.x,
    strides: [c.stride, c.stride],
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * Two ways of computing the input gradient (`want`, `got`: each sets its flags and calls
 * runInputGrad) on every case with seeded random dy and filter: the first element where they differ
 * by more than 1e-5 of the largest magnitude (they may sum in different orders), a wrong shape, or
 * null when they agree everywhere.
 */
export async function firstInputGradMismatch(
  cases: readonly InputGradCase[],
  seed: number,
  want: (dy: tf.Tensor4D, f: tf.Tensor4D, c: InputGradCase) => tf.Tensor,
  got: (dy: tf.Tensor4D, f: tf.Tensor4D, c: InputGradCase) => tf.Tensor,
): Promise<string | null> {
  for (const [k, c] of cases.entries()) {
    const out = tf.tidy(() => {
      const { outShape } = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
      const dy = tf.randomUniform(outShape, -1, 1, 'float32', seed + k) as tf.Tensor4D;
      const f = tf.randomUniform(c.f, -1, 1, 'float32', seed + 100 + k) as tf.Tensor4D;
      return [want(dy, f, c), got(dy, f, c)];
    });
    try {
      const what = `x [${c.x}], filter [${c.f}], stride ${c.stride}, ${c.pad}`;
      if (out[1].shape.join() !== c.x.join()) return `${what}: shape [${out[1].shape}]`;
      const [a, b] = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
      const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let i = 0; i < a.length; i++) {
        if (!(Math.abs(b[i] - a[i]) <= 1e-5 * Math.max(1, scale))) return `${what}: element ${i} ${b[i]} vs ${a[i]}`;
      }
    } finally {
      tf.dispose(out);
    }
  }
  return null;
}

/**
 * GAPNet's stride-1 3×3 'same' convs (as at 256 px, smaller), a 'valid' one with channel counts off
 * the vec4 width, a 1×3 'same' one; at stride 2 GAPNet's conv2 ('valid' on an even side, after its
 * zero padding), 'same' on odd and on even sides (pads 1/1 and 0/1) with odd channel counts, and
 * a 4×4 filter; and a stride-3 one (tfjs's kernel).
 */
const CASES: InputGradCase[] = [
  { x: [2, 9, 9, 64], f: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { x: [3, 6, 5, 64], f: [3, 3, 64, 128], stride: 1, pad: 'same' },
  { x: [2, 7, 6, 5], f: [3, 3, 5, 7], stride: 1, pad: 'valid' },
  { x: [2, 5, 8, 4], f: [1, 3, 4, 8], stride: 1, pad: 'same' },
  { x: [2, 10, 10, 32], f: [3, 3, 32, 64], stride: 2, pad: 'valid' },
  { x: [2, 9, 11, 5], f: [3, 3, 5, 12], stride: 2, pad: 'same' },
  { x: [3, 8, 6, 8], f: [3, 3, 8, 7], stride: 2, pad: 'same' },
  { x: [2, 10, 9, 4], f: [4, 4, 4, 8], stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 8], f: [3, 3, 8, 8], stride: 3, pad: 'valid' },
  // the transfer backbones' geometries: ResNet50's 7×7 stride-2 stem after its zero padding and its
  // stride-2 1×1 shortcuts, 1×1 pointwise convs (MobileNetV2, ResNet50), InceptionV3's 1×7 and 7×1
  { x: [2, 14, 14, 3], f: [7, 7, 3, 8], stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 8], f: [1, 1, 8, 16], stride: 2, pad: 'valid' },
  { x: [2, 6, 6, 16], f: [1, 1, 16, 8], stride: 1, pad: 'same' },
  { x: [2, 7, 7, 8], f: [1, 7, 8, 8], stride: 1, pad: 'same' },
  { x: [2, 7, 7, 8], f: [7, 1, 8, 8], stride: 1, pad: 'same' },
];

/**
 * On webgpu: the forward-convolution path against tfjs's own kernel on CASES, every element within
 * 1e-5 of the largest magnitude (they sum in different orders). Null when they agree and the path
 * is on; else what differed, and tfjs's kernel is back.
 */
export async function verifyConvInputGradAsConv(): Promise<string | null> {
  const backend = tf.getBackend();
  if (backend !== 'webgpu' || !hasConvInputGradAsConv()) return `not available on ${backend}`;
  const flag = accelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG);
  const way = (asConv: boolean) => (dy: tf.Tensor4D, f: tf.Tensor4D, c: InputGradCase) => {
    setAccelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG, asConv);
    return runInputGrad(dy, f, c);
  };
  let problem: string | null;
  try {
    problem = await firstInputGradMismatch(CASES, 53, way(false), way(true));
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  } finally {
    setAccelFlag(CONV_INPUT_GRAD_AS_CONV_FLAG, flag);
  }
  if (problem === null) return null;
  restoreTfjsConvInputGrad();
  return `self-check failed on webgpu (${problem}); tfjs's input-gradient program runs`;
}
