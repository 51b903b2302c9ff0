/**
 * A conv2d's filter gradient (the Conv2DBackpropFilter kernel) on webgpu, split over the GPU.
 *
 *   dW[kh, kw, ci, co] = Σ over batch b and output positions (oy, ox) of
 *                        x[b, oy·sh − padTop + kh, ox·sw − padLeft + kw, ci] · dy[b, oy, ox, co]
 *
 * tfjs-backend-webgpu 4.22 gives each filter value one GPU thread that loops over every batch
 * position: GAPNet-PL's first conv at 256 px, batch 32, has 1,152 filter values and 524,288
 * positions, so 1,152 threads run half a million iterations each and the rest of the GPU idles.
 * Measured on an NVIDIA H200 (2026-11-27, bench/results/2026-11-27-gpu-h200.jsonl): 8 such kernels
 * took 261 of a training step's 268 GPU milliseconds.
 *
 * Here the positions are cut into chunks as well (split-K): pass 1 runs one thread per (chunk,
 * filter value), each summing its chunk into a partial, and pass 2 adds the partials of each
 * filter value in chunk order (deterministic). Chunks are chosen so that about 2¹⁷ threads run and
 * each sums at least 32 positions; the partials stay under 64 MB. Where the output channels come in
 * fours (all of GAPNet's convs) a thread holds four of them: one x read and one vec4 dy read per
 * four multiply-adds. Threads next to each other hold neighbouring output channels, so their dy
 * reads are contiguous and their x reads shared.
 *
 * registerWebGpuConv2dFilterGrad() puts this kernel in place of tfjs's (kept, and used for
 * channels-first data); verifyConv2dFilterGrad() checks the filter gradient on the running backend
 * against one computed in double precision, and on a mismatch puts tfjs's kernel back.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { namedProgram } from './elementwise';

const KERNEL = 'Conv2DBackpropFilter';
const WORKGROUP = 64;
/** threads pass 1 aims for: enough to fill a large GPU (an H200 holds ~270 K resident threads) */
const TARGET_THREADS = 1 << 17;
/** fewest positions one thread sums (below this the partials cost more than they save) */
const MIN_CHUNK = 32;
/** most float32 partials kept between the passes (64 MB) */
const MAX_PARTIALS = 1 << 24;

/**
 * How pass 1 cuts `positions` for `filterSize` filter values, `comp` of them per thread: chunk count
 * and positions per chunk.
 */
export function filterGradChunks(positions: number, filterSize: number, comp = 1): { chunks: number; chunkLen: number } {
  const most = Math.max(1, Math.min(Math.floor(positions / MIN_CHUNK), Math.floor(MAX_PARTIALS / filterSize)));
  const wanted = Math.max(1, Math.min(most, Math.ceil((TARGET_THREADS * comp) / filterSize)));
  const chunkLen = Math.ceil(positions / wanted);
  return { chunks: Math.ceil(positions / chunkLen), chunkLen };
}

const ints = (...values: number[]) => values.map((x) => ({ type: 'int32', data: [x] }));

/** f32, or vec4<f32> when the output channels come in fours (each thread then holds four of them). */
const elementType = (comp: number) => (comp === 4 ? 'vec4<f32>' : 'f32');

/** Pass 1: `size` partial sums (chunks × filter values), `comp` output channels per thread. */
function partialsProgram(size: number, comp: number): WebGPUProgram {
  return namedProgram('HpaConv2dFilterGradPartials', {
    variableNames: ['convX', 'convDy'],
    outputShape: [size],
    shaderKey: `hpaConv2dFilterGradPartials${comp}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / comp / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    outputComponent: comp,
    variableComponents: [1, comp],
    size: true,
    // outCV and filterSizeV count output channels and filter values in units of `comp`
    uniforms: 'inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, outCV : i32, strideH : i32, strideW : i32, padTop : i32, padLeft : i32, filterW : i32, filterSizeV : i32, chunkLen : i32, positions : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let f = index % uniforms.filterSizeV;
          let chunk = index / uniforms.filterSizeV;
          let co = f % uniforms.outCV;
          let ci = (f / uniforms.outCV) % uniforms.inC;
          let kw = (f / (uniforms.outCV * uniforms.inC)) % uniforms.filterW;
          let kh = f / (uniforms.outCV * uniforms.inC * uniforms.filterW);
          var p = chunk * uniforms.chunkLen;
          let end = min(p + uniforms.chunkLen, uniforms.positions);
          var ox = p % uniforms.outW;
          var oy = (p / uniforms.outW) % uniforms.outH;
          var b = p / (uniforms.outW * uniforms.outH);
          var acc = ${elementType(comp)}(0.0);
          for (; p < end; p++) {
            let iy = oy * uniforms.strideH - uniforms.padTop + kh;
            let ix = ox * uniforms.strideW - uniforms.padLeft + kw;
            if (iy >= 0 && iy < uniforms.inH && ix >= 0 && ix < uniforms.inW) {
              acc = acc + convX[((b * uniforms.inH + iy) * uniforms.inW + ix) * uniforms.inC + ci] * convDy[p * uniforms.outCV + co];
            }
            ox = ox + 1;
            if (ox == uniforms.outW) {
              ox = 0;
              oy = oy + 1;
              if (oy == uniforms.outH) {
                oy = 0;
                b = b + 1;
              }
            }
          }
          setOutputAtIndex(index, acc);
        }
      }
    `,
  });
}

/** Pass 2: each filter value's partials added in chunk order. */
function sumChunksProgram(filterSize: number, comp: number): WebGPUProgram {
  return namedProgram('HpaConv2dFilterGradSum', {
    variableNames: ['convPartials'],
    outputShape: [filterSize],
    shaderKey: `hpaConv2dFilterGradSum${comp}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(filterSize / comp / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    outputComponent: comp,
    variableComponents: [comp],
    size: true,
    uniforms: 'chunks : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var acc = ${elementType(comp)}(0.0);
          for (var c = 0; c < uniforms.chunks; c++) {
            acc = acc + convPartials[c * uniforms.size + index];
          }
          setOutputAtIndex(index, acc);
        }
      }
    `,
  });
}

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** tfjs's own webgpu kernel, kept when ours is registered (channels-first data and the restore use it). */
let tfjsKernel: tf.KernelConfig | undefined;

export const conv2dFilterGradWebGpuConfig: tf.KernelConfig = {
  kernelName: KERNEL,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as Attrs;
    const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
    if (attrs.dataFormat === 'NCHW' && tfjsKernel) return tfjsKernel.kernelFunc(args);
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || dy.shape.length !== 4 || attrs.dataFormat === 'NCHW') {
      throw new RangeError(`${KERNEL} on webgpu: expected float32 NHWC x and dy, got x ${x.dtype} [${x.shape}], dy ${dy.dtype} [${dy.shape}], ${attrs.dataFormat}`);
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const be = backend as WebGPUBackend;
    const filterSize = attrs.filterShape.reduce((a, b) => a * b, 1);
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const comp = info.outChannels % 4 === 0 ? 4 : 1;
    const { chunks, chunkLen } = filterGradChunks(positions, filterSize, comp);
    const partials = be.runWebGPUProgram(
      partialsProgram(chunks * filterSize, comp),
      [x, dy],
      'float32',
      ints(info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels / comp, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.filterWidth, filterSize / comp, chunkLen, positions),
    );
    if (chunks === 1) return { ...partials, shape: [...attrs.filterShape] };
    const sum = be.runWebGPUProgram(sumChunksProgram(filterSize, comp), [partials], 'float32', ints(chunks));
    be.disposeData(partials.dataId);
    return { ...sum, shape: [...attrs.filterShape] };
  },
};

/** Puts the split filter gradient in place of tfjs's webgpu kernel (idempotent; tfjs's is kept). */
export function registerWebGpuConv2dFilterGrad(): void {
  const current = tf.getKernel(KERNEL, 'webgpu');
  if (current?.kernelFunc === conv2dFilterGradWebGpuConfig.kernelFunc) return;
  tfjsKernel = current;
  if (current) tf.unregisterKernel(KERNEL, 'webgpu');
  tf.registerKernel(conv2dFilterGradWebGpuConfig);
}

/** Puts tfjs's own webgpu kernel back (after a failed check, or to time the studio before this kernel). */
export function restoreTfjsConv2dFilterGrad(): void {
  if (tf.getKernel(KERNEL, 'webgpu')?.kernelFunc !== conv2dFilterGradWebGpuConfig.kernelFunc) return;
  tf.unregisterKernel(KERNEL, 'webgpu');
  if (tfjsKernel) tf.registerKernel(tfjsKernel);
}

/** Whether the split filter gradient is the webgpu kernel now. */
export function hasWebGpuConv2dFilterGrad(): boolean {
  return tf.getKernel(KERNEL, 'webgpu')?.kernelFunc === conv2dFilterGradWebGpuConfig.kernelFunc;
}

/** dW of conv2d(x, W) for upstream gradient dy, in double precision (NHWC; pads from tfjs's conv info). */
export function conv2dFilterGradReference(
  x: Float32Array,
  xShape: [number, number, number, number],
  dy: Float32Array,
  filterShape: [number, number, number, number],
  strides: number,
  pad: 'valid' | 'same',
): Float64Array {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
  const [fh, fw, cin, cout] = filterShape;
  const out = new Float64Array(fh * fw * cin * cout);
  for (let b = 0; b < info.batchSize; b++)
    for (let oy = 0; oy < info.outHeight; oy++)
      for (let ox = 0; ox < info.outWidth; ox++)
        for (let kh = 0; kh < fh; kh++) {
          const iy = oy * info.strideHeight - info.padInfo.top + kh;
          if (iy < 0 || iy >= info.inHeight) continue;
          for (let kw = 0; kw < fw; kw++) {
            const ix = ox * info.strideWidth - info.padInfo.left + kw;
            if (ix < 0 || ix >= info.inWidth) continue;
            for (let ci = 0; ci < cin; ci++) {
              const xv = x[((b * info.inHeight + iy) * info.inWidth + ix) * cin + ci];
              for (let co = 0; co < cout; co++) out[((kh * fw + kw) * cin + ci) * cout + co] += xv * dy[((b * info.outHeight + oy) * info.outWidth + ox) * cout + co];
            }
          }
        }
  return out;
}

/**
 * The check's cases: stride 2 'valid' (GAPNet's strided convs), 'same' with odd sizes, many chunks;
 * output channels in fours (the vec4 path, as in GAPNet) and not (the scalar path).
 */
const CASES: Array<{ x: [number, number, number, number]; filter: [number, number, number, number]; strides: number; pad: 'valid' | 'same' }> = [
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'valid' },
  { x: [3, 8, 7, 4], filter: [3, 3, 4, 6], strides: 1, pad: 'same' },
  { x: [4, 20, 20, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' },
  { x: [4, 20, 20, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same' },
];

/**
 * The filter gradient through the tape on the active backend, against conv2dFilterGradReference,
 * for CASES. Null when it is right; else why (on webgpu with the split kernel in place, tfjs's
 * kernel is put back).
 */
export async function verifyConv2dFilterGrad(): Promise<string | null> {
  const backend = tf.getBackend();
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (const c of CASES) {
    const xs = Float32Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, rand);
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels] as const;
    const dys = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, rand);
    const want = conv2dFilterGradReference(xs, c.x, dys, c.filter, c.strides, c.pad);
    const x = tf.tensor4d(xs, c.x), dy = tf.tensor4d(dys, [...dyShape]), w = tf.zeros(c.filter) as tf.Tensor4D;
    const g = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad))(w, dy);
    try {
      const got = await g.data();
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs(got[i] - want[i]) <= 1e-4 * Math.max(1, Math.abs(want[i])))) {
          const fallback = hasWebGpuConv2dFilterGrad() && backend === 'webgpu';
          if (fallback) restoreTfjsConv2dFilterGrad();
          return `self-check failed on ${backend} (x [${c.x}], filter [${c.filter}], stride ${c.strides} ${c.pad}, value ${i}: ${got[i]} vs ${want[i]})${fallback ? "; tfjs's filter gradient runs" : ''}`;
        }
      }
    } finally {
      tf.dispose([x, dy, w, g]);
    }
  }
  return null;
}
