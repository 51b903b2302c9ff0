/**
 * The input gradient of a stride-1 convolution as a forward convolution, on webgpu.
 *
 * At stride 1, dx is dy convolved with the filter turned by 180° and its input and output channels
 * swapped, padded by k − 1 − p on each side where the forward convolution padded by p: the same
 * products and sums as Conv2DBackpropInput. tfjs-backend-webgpu 4.22's input-gradient program
 * (Conv2DDerInputMMProgram, see ./conv2dInputGrad.ts) gathers each vec4 of the filter from four
 * scalar reads and decides per element whether a tap lands; its forward program (Conv2DMMProgram)
 * reads both operands as vec4. On an NVIDIA H200 GAPNet-PL's 7 input gradients took 2.0 GPU ms per
 * 256 px b32 step against 1.3 ms for its 8 forward convolutions, which do a similar count of
 * multiply-adds (bench/results/2026-11-27-gpu-h200-s9d.txt, derinput-mm).
 *
 * So on webgpu Conv2DBackpropInput at stride 1 turns the filter in one small pass
 * (HpaConvFilterFlip: [kh, kw, in, out] → [kh, kw, out, in], reversed in kh and kw) and runs tfjs's
 * own Conv2D kernel on (dy, turned filter) with the padding above. Strided convolutions (GAPNet's
 * conv1 and conv2), and anything else, go to tfjs's kernel. `HPA_CONV_INPUT_GRAD_AS_CONV=false`
 * is the before; verifyConvInputGradAsConv() compares the two on the running GPU at backend start
 * and puts tfjs's kernel back on any difference.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { intUniforms, namedProgram, WORKGROUP } from './elementwise';

export const CONV_INPUT_GRAD_AS_CONV_FLAG = 'HPA_CONV_INPUT_GRAD_AS_CONV';
tf.env().registerFlag(CONV_INPUT_GRAD_AS_CONV_FLAG, () => true);

const KERNEL = 'Conv2DBackpropInput';

/** out[a, b, o, i] = W[kh − 1 − a, kw − 1 − b, i, o]: the filter turned by 180°, in and out channels swapped. */
function flipProgram(kh: number, kw: number, ci: number, co: number) {
  const n = kh * kw * ci * co;
  return namedProgram('HpaConvFilterFlip', {
    variableNames: ['W'],
    outputShape: [n],
    shaderKey: 'hpaConvFilterFlip',
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(n / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: 'kh : i32, kw : i32, ci : i32, co : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let i = index % uniforms.ci;
          let o = (index / uniforms.ci) % uniforms.co;
          let b = (index / (uniforms.ci * uniforms.co)) % uniforms.kw;
          let a = index / (uniforms.ci * uniforms.co * uniforms.kw);
          let src = (((uniforms.kh - 1 - a) * uniforms.kw + (uniforms.kw - 1 - b)) * uniforms.ci + i) * uniforms.co + o;
          setOutputAtIndex(index, W[src]);
        }
      }
    `,
  });
}

interface BackpropInputAttrs {
  inputShape: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The forward convolution's pads for dx (top, bottom, left, right), or null where this path does not apply. */
export function inputGradAsConvPads(inputShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: Pick<BackpropInputAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>): [number, number, number, number] | null {
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const { top, bottom, left, right } = info.padInfo;
  const pads: [number, number, number, number] = [info.filterHeight - 1 - top, info.filterHeight - 1 - bottom, info.filterWidth - 1 - left, info.filterWidth - 1 - right];
  return pads.every((p) => p >= 0) ? pads : null;
}

let tfjsKernel: tf.KernelConfig | null = null;

const config: tf.KernelConfig = {
  kernelName: KERNEL,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const own = tfjsKernel!;
    const { dy, filter } = args.inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as BackpropInputAttrs;
    const pads = tf.env().getBool(CONV_INPUT_GRAD_AS_CONV_FLAG) && dy.dtype === 'float32' && filter.dtype === 'float32' ? inputGradAsConvPads(attrs.inputShape, filter.shape as [number, number, number, number], attrs) : null;
    const conv = tf.getKernel('Conv2D', 'webgpu');
    if (!pads || !conv) return own.kernelFunc(args);
    const be = args.backend as WebGPUBackend;
    const [kh, kw, ci, co] = filter.shape;
    const flat = be.runWebGPUProgram(flipProgram(kh, kw, ci, co), [{ ...filter, shape: [kh * kw * ci * co] }], 'float32', intUniforms(kh, kw, ci, co));
    const turned = { ...flat, shape: [kh, kw, co, ci] };
    const [top, bottom, left, right] = pads;
    const dx = conv.kernelFunc({
      inputs: { x: dy, filter: turned },
      backend: be,
      attrs: { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    be.disposeData(flat.dataId); // released once the submitted work that reads it is done
    return dx;
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

/** GAPNet's stride-1 3×3 'same' convs (as at 256 px, smaller), a 'valid' one with channel counts off the vec4 width, a 1×3 'same' one, and a strided one (tfjs's kernel). */
const CASES: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'same' | 'valid' }[] = [
  { x: [2, 9, 9, 64], f: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { x: [3, 6, 5, 64], f: [3, 3, 64, 128], stride: 1, pad: 'same' },
  { x: [2, 7, 6, 5], f: [3, 3, 5, 7], stride: 1, pad: 'valid' },
  { x: [2, 5, 8, 4], f: [1, 3, 4, 8], stride: 1, pad: 'same' },
  { x: [2, 8, 8, 32], f: [3, 3, 32, 64], stride: 2, pad: 'valid' },
];

/**
 * On webgpu: the forward-convolution path against tfjs's own kernel on CASES, every element within
 * 1e-5 of the largest magnitude (they sum in different orders). Null when they agree and the path
 * is on; else what differed, and tfjs's kernel is back.
 */
export async function verifyConvInputGradAsConv(): Promise<string | null> {
  const backend = tf.getBackend();
  if (backend !== 'webgpu' || !hasConvInputGradAsConv()) return `not available on ${backend}`;
  const flag = tf.env().getBool(CONV_INPUT_GRAD_AS_CONV_FLAG);
  try {
    for (const [k, c] of CASES.entries()) {
      const out = tf.tidy(() => {
        const { outShape } = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
        const dy = tf.randomUniform(outShape, -1, 1, 'float32', 53 + k) as tf.Tensor4D;
        const f = tf.randomUniform(c.f, -1, 1, 'float32', 71 + k) as tf.Tensor4D;
        const run = (asConv: boolean) => {
          tf.env().set(CONV_INPUT_GRAD_AS_CONV_FLAG, asConv);
          return tf.engine().runKernel(KERNEL, { dy, filter: f }, { inputShape: c.x, strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap) as tf.Tensor;
        };
        return [run(false), run(true)];
      });
      try {
        const [want, got] = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        if (out[1].shape.join() !== c.x.join()) return fail(`x [${c.x}]: shape [${out[1].shape}]`);
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, scale))) return fail(`x [${c.x}], filter [${c.f}], stride ${c.stride}, ${c.pad}: element ${i} ${got[i]} vs ${want[i]}`);
        }
      } finally {
        tf.dispose(out);
      }
    }
    return null;
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  } finally {
    tf.env().set(CONV_INPUT_GRAD_AS_CONV_FLAG, flag);
  }

  function fail(what: string): string {
    restoreTfjsConvInputGrad();
    return `self-check failed on webgpu (${what}); tfjs's input-gradient program runs`;
  }
}
