/**
 * A conv2d's filter gradient (the Conv2DBackpropFilter kernel) on webgpu, split over the GPU.
 *
 *   dW[kh, kw, ci, co] = Σ over batch b and output positions (oy, ox) of
 *                        x[b, oy·sh − padTop + kh, ox·sw − padLeft + kw, ci] · dy[b, oy, ox, co]
 *
 * tfjs-backend-webgpu 4.22 gives each filter value one GPU thread that loops over every batch
 * position: GAPNet-PL's first conv at 256 px, batch 32, has 1,152 filter values and 524,288
 * positions, so 1,152 threads run half a million iterations each and the rest of the GPU idles.
 * Measured on an NVIDIA H200 (bench/results/gpu-h200-summary.md): 8 such kernels
 * took 261 of a training step's 268 GPU milliseconds.
 *
 * Here the positions are cut into chunks as well (split-K): pass 1 runs one thread per (chunk,
 * filter value), each summing its chunk into a partial, and pass 2 adds the partials of each
 * filter value in a fixed order (deterministic; ./chunkSum.ts). Chunks are chosen so that about 2¹⁷ threads run and
 * each sums at least 32 positions; the partials stay under 64 MB. Where the output channels come in
 * fours (all of GAPNet's convs) a thread holds four of them: one x read and one vec4 dy read per
 * four multiply-adds. Threads next to each other hold neighbouring output channels, so their dy
 * reads are contiguous and their x reads shared.
 *
 * Tiled (the default): the split kernel reads x and dy from memory for every
 * multiply-add (4 per 20 bytes), which left it at 5.5 of a GAPNet-PL step's 13.3 GPU ms on an H200
 * (bench/results/gpu-h200-summary.md). The filter gradient is a matrix product,
 * dW[k, co] = Σ_r X[r, k] · dY[r, co] with r a batch position and k = (kh, kw, ci), so pass 1
 * works as a tiled matrix multiply: a workgroup of 64 threads owns a 32×32 block of (k, co) and
 * one chunk of positions, and for each 32 positions loads the x patch values and the dy rows
 * once into workgroup memory, where each thread reads them for a 4×4 block of outputs (16
 * multiply-adds per two vec4 reads). Chunks are cut so about 2,048 workgroups run. Pass 2 is the
 * same sum of chunks. The flag HPA_CONV_FILTER_GRAD_TILED=false runs the split kernel above, for
 * the bench's before/after.
 *
 * registerWebGpuConv2dFilterGrad() puts this kernel in place of tfjs's (kept, and used for
 * channels-first data); verifyConv2dFilterGrad() checks the filter gradient on the running backend
 * against one computed in double precision, and on a mismatch puts tfjs's kernel back.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { sumChunks } from './chunkSum';
import { intUniforms as ints, namedProgram } from './elementwise';
import { accelFlag, CONV_FILTER_GRAD_TILED_FLAG } from '../flags';

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

/** The tiled pass 1's block of outputs per workgroup (k and co) and positions per step. */
const TILE = 32;
/** workgroups the tiled pass 1 aims for (an H200 has 132 multiprocessors) */
const TARGET_WORKGROUPS = 2048;
/** fewest 32-position steps one workgroup takes (below this the partials cost more than they save) */
const MIN_STEPS = 4;

/**
 * How the tiled pass 1 covers a filter gradient of `filterK` × `outC` outputs over `positions`:
 * blocks of 32×32 outputs (kTiles × cTiles), each over `splits` chunks of `chunkLen` positions
 * (a multiple of 32; the last chunk may run past the end and reads zeros there).
 */
export function filterGradTiles(positions: number, filterK: number, outC: number): { kTiles: number; cTiles: number; splits: number; chunkLen: number } {
  const kTiles = Math.ceil(filterK / TILE),
    cTiles = Math.ceil(outC / TILE);
  const steps = Math.ceil(positions / TILE);
  const most = Math.max(1, Math.min(Math.ceil(steps / MIN_STEPS), Math.floor(MAX_PARTIALS / (filterK * outC)), 65535));
  const wanted = Math.max(1, Math.min(most, Math.ceil(TARGET_WORKGROUPS / (kTiles * cTiles))));
  const perSplit = Math.ceil(steps / wanted);
  return { kTiles, cTiles, splits: Math.ceil(steps / perSplit), chunkLen: perSplit * TILE };
}

/** Tiled pass 1: partials [splits, filterK·outC], one workgroup per (32×32 output block, chunk). */
function tiledPartialsProgram(t: ReturnType<typeof filterGradTiles>, filterSize: number): WebGPUProgram {
  return namedProgram('HpaConv2dFilterGradTiled', {
    variableNames: ['convX', 'convDy'],
    outputShape: [t.splits * filterSize],
    shaderKey: 'hpaConv2dFilterGradTiled',
    dispatchLayout: { x: [0] },
    dispatch: [t.kTiles * t.cTiles, t.splits, 1],
    workgroupSize: [64, 1, 1],
    size: true,
    uniforms:
      'inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, outC : i32, strideH : i32, strideW : i32, padTop : i32, padLeft : i32, filterW : i32, filterK : i32, cTiles : i32, chunkLen : i32, positions : i32, steps : i32,',
    getUserCode: () => `
      var<workgroup> tileX : array<vec4<f32>, 256>;
      var<workgroup> tileDy : array<vec4<f32>, 256>;

      fn main(index : i32) {
        let block = i32(workgroupId.x);
        let k0 = (block / uniforms.cTiles) * ${TILE};
        let c0 = (block % uniforms.cTiles) * ${TILE};
        let rowStart = i32(workgroupId.y) * uniforms.chunkLen;
        let t = i32(localIndex);
        let tx = t % 8;
        let ty = t / 8;
        // what this thread loads: rows ty + 8j of each step, columns q..q+3 of the x and dy blocks
        let q = tx * 4;
        var kh : array<i32, 4>;
        var kw : array<i32, 4>;
        var ci : array<i32, 4>;
        for (var i = 0; i < 4; i++) {
          let k = k0 + q + i;
          ci[i] = k % uniforms.inC;
          kw[i] = (k / uniforms.inC) % uniforms.filterW;
          kh[i] = select(-1000000, k / (uniforms.inC * uniforms.filterW), k < uniforms.filterK);
        }
        var acc : array<vec4<f32>, 4>;
        for (var step = 0; step < uniforms.steps; step++) {
          for (var j = 0; j < 4; j++) {
            let row = ty + 8 * j;
            let r = rowStart + step * ${TILE} + row;
            var xv = vec4<f32>(0.0);
            var dv = vec4<f32>(0.0);
            if (r < uniforms.positions) {
              let ox = r % uniforms.outW;
              let oy = (r / uniforms.outW) % uniforms.outH;
              let b = r / (uniforms.outW * uniforms.outH);
              let y0 = oy * uniforms.strideH - uniforms.padTop;
              let x0 = ox * uniforms.strideW - uniforms.padLeft;
              for (var i = 0; i < 4; i++) {
                let iy = y0 + kh[i];
                let ix = x0 + kw[i];
                if (iy >= 0 && iy < uniforms.inH && ix >= 0 && ix < uniforms.inW) {
                  xv[i] = convX[((b * uniforms.inH + iy) * uniforms.inW + ix) * uniforms.inC + ci[i]];
                }
                if (c0 + q + i < uniforms.outC) {
                  dv[i] = convDy[r * uniforms.outC + c0 + q + i];
                }
              }
            }
            tileX[row * 8 + tx] = xv;
            tileDy[row * 8 + tx] = dv;
          }
          workgroupBarrier();
          for (var row = 0; row < ${TILE}; row++) {
            let a = tileX[row * 8 + ty];
            let d = tileDy[row * 8 + tx];
            acc[0] = acc[0] + a.x * d;
            acc[1] = acc[1] + a.y * d;
            acc[2] = acc[2] + a.z * d;
            acc[3] = acc[3] + a.w * d;
          }
          workgroupBarrier();
        }
        let base = i32(workgroupId.y) * uniforms.filterK * uniforms.outC;
        for (var i = 0; i < 4; i++) {
          let k = k0 + ty * 4 + i;
          for (var j = 0; j < 4; j++) {
            let c = c0 + tx * 4 + j;
            if (k < uniforms.filterK && c < uniforms.outC) {
              setOutputAtIndex(base + k * uniforms.outC + c, acc[i][j]);
            }
          }
        }
      }
    `,
  });
}

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
    uniforms:
      'inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, outCV : i32, strideH : i32, strideW : i32, padTop : i32, padLeft : i32, filterW : i32, filterSizeV : i32, chunkLen : i32, positions : i32,',
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
      throw new RangeError(
        `${KERNEL} on webgpu: expected float32 NHWC x and dy, got x ${x.dtype} [${x.shape}], dy ${dy.dtype} [${dy.shape}], ${attrs.dataFormat}`,
      );
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const be = backend as WebGPUBackend;
    const filterSize = attrs.filterShape.reduce((a, b) => a * b, 1);
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const comp = info.outChannels % 4 === 0 ? 4 : 1;
    if (accelFlag(CONV_FILTER_GRAD_TILED_FLAG)) {
      const filterK = filterSize / info.outChannels;
      const tiles = filterGradTiles(positions, filterK, info.outChannels);
      const partials = be.runWebGPUProgram(
        tiledPartialsProgram(tiles, filterSize),
        [x, dy],
        'float32',
        ints(
          info.inHeight,
          info.inWidth,
          info.inChannels,
          info.outHeight,
          info.outWidth,
          info.outChannels,
          info.strideHeight,
          info.strideWidth,
          info.padInfo.top,
          info.padInfo.left,
          info.filterWidth,
          filterK,
          tiles.cTiles,
          tiles.chunkLen,
          positions,
          tiles.chunkLen / TILE,
        ),
      );
      const sum = tiles.splits === 1 ? partials : sumChunks(be, partials, { name: 'HpaConv2dFilterGradSum', size: filterSize, chunks: tiles.splits, comp });
      return { ...sum, shape: [...attrs.filterShape] };
    }
    const { chunks, chunkLen } = filterGradChunks(positions, filterSize, comp);
    const partials = be.runWebGPUProgram(
      partialsProgram(chunks * filterSize, comp),
      [x, dy],
      'float32',
      ints(
        info.inHeight,
        info.inWidth,
        info.inChannels,
        info.outHeight,
        info.outWidth,
        info.outChannels / comp,
        info.strideHeight,
        info.strideWidth,
        info.padInfo.top,
        info.padInfo.left,
        info.filterWidth,
        filterSize / comp,
        chunkLen,
        positions,
      ),
    );
    const sum = chunks === 1 ? partials : sumChunks(be, partials, { name: 'HpaConv2dFilterGradSum', size: filterSize, chunks, comp });
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
              for (let co = 0; co < cout; co++)
                out[((kh * fw + kw) * cin + ci) * cout + co] += xv * dy[((b * info.outHeight + oy) * info.outWidth + ox) * cout + co];
            }
          }
        }
  return out;
}

/**
 * The check's cases: stride 2 'valid' (GAPNet's strided convs), 'same' with odd sizes, many chunks
 * (enough for the chunk sum's lanes);
 * output channels in fours (the vec4 path, as in GAPNet) and not (the scalar path).
 */
const CASES: Array<{ x: [number, number, number, number]; filter: [number, number, number, number]; strides: number; pad: 'valid' | 'same' }> = [
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'valid' },
  { x: [3, 8, 7, 4], filter: [3, 3, 4, 6], strides: 1, pad: 'same' },
  { x: [4, 20, 20, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' },
  { x: [4, 20, 20, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same' },
  { x: [8, 32, 32, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same' }, // 64 chunks: 8 lanes in the sum where lanes are on (a GPU; ./chunkSum.ts)
  // the transfer backbones' geometries (see convInputGradAsConv.ts's cases)
  { x: [2, 14, 14, 3], filter: [7, 7, 3, 8], strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 8], filter: [1, 1, 8, 16], strides: 2, pad: 'valid' },
  { x: [2, 6, 6, 16], filter: [1, 1, 16, 8], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 8], filter: [1, 7, 8, 8], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 8], filter: [7, 1, 8, 8], strides: 1, pad: 'same' },
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
    const x = tf.tensor4d(xs, c.x),
      dy = tf.tensor4d(dys, [...dyShape]),
      w = tf.zeros(c.filter) as tf.Tensor4D;
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
