/**
 * Sum and Mean over every axis but the last, or over every axis but the first and the last, on
 * webgpu, without a transpose.
 *
 * A bias gradient (Σ of dy over batch, height and width for each channel), a BatchNorm gradient's
 * and moments' per-channel sums, and a dense layer's bias gradient (Σ over the batch) all reduce
 * an NHWC tensor to its channels; a global average pool (GAPNet's three) reduces each image to its
 * channels, Mean over axes [1, 2]. tfjs-backend-webgpu 4.22 reduces only along the innermost axis,
 * so it first transposes [N, H, W, C] to [C, N·H·W] (or [N, C, H·W]): a full copy of the tensor
 * and a second dispatch. On an H200 (bench/results/gpu-h200-summary.md) those transposes
 * and reductions were 1.4 of GAPNet-PL's 9.4 GPU ms per step and 13 of GAPNet-Kaggle's 25, and 26
 * and 112 of their dispatches; with only the per-channel sums done here, GAPNet-PL still ran 5
 * transposes and 6 reductions, 0.5 GPU ms, most of them its pools.
 *
 * Here x is read as it lies, as [B, R, C] (B = 1 for every axis but the last; R = the product of
 * the reduced axes). A workgroup of 256 threads takes one of the B blocks, a block of up to 256
 * columns and a chunk of rows: neighbouring threads read neighbouring columns of a row (contiguous
 * memory), the threads left over take further rows, and the workgroup adds its row lanes in
 * workgroup memory. When R is small one workgroup per column block covers every row and writes the
 * result (one dispatch); otherwise chunks of rows give partial sums and a second pass adds them in a
 * fixed order (deterministic; ./chunkSum.ts). Mean scales by 1/R.
 *
 * registerWebGpuColumnReduce() puts these in front of tfjs's webgpu Sum and Mean; every other
 * reduction (other axes, int32) goes to tfjs's own kernels. verifyColumnReduce() checks them on
 * the running backend against double-precision sums and puts tfjs's kernels back on a mismatch.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { sumChunks } from './chunkSum';
import { intUniforms as ints, namedProgram } from './elementwise';
import { accelFlag, COLUMN_REDUCE_FLAG } from '../flags';

const WORKGROUP = 256;
/** rows one workgroup may cover alone; above this the rows are cut into chunks (two passes) */
const SINGLE_PASS_ROWS = 4096;
/** workgroups the chunked pass aims for */
const TARGET_WORKGROUPS = 1024;
/** fewest rows per chunk */
const MIN_CHUNK_ROWS = 256;

/** How each of `batches` [rows, cols] blocks is covered: column blocks of `colBlock` (≤ 256) and `chunks` chunks of `chunkRows` rows. */
export function columnReducePlan(rows: number, cols: number, batches = 1): { colBlock: number; colBlocks: number; chunks: number; chunkRows: number } {
  const colBlock = Math.min(cols, WORKGROUP);
  const colBlocks = Math.ceil(cols / colBlock);
  if (rows <= SINGLE_PASS_ROWS) return { colBlock, colBlocks, chunks: 1, chunkRows: rows };
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / (colBlocks * batches)), Math.floor(rows / MIN_CHUNK_ROWS), 65535));
  const chunkRows = Math.ceil(rows / wanted);
  return { colBlock, colBlocks, chunks: Math.ceil(rows / chunkRows), chunkRows };
}

/** Pass 1 (or the only pass): out[chunk, b, c] = scale · Σ of x[b, r, c] over the chunk's rows. */
function columnSumProgram(plan: ReturnType<typeof columnReducePlan>, cols: number, batches: number): WebGPUProgram {
  return namedProgram('HpaColumnReduce', {
    variableNames: ['colX'],
    outputShape: [plan.chunks * batches * cols],
    shaderKey: 'hpaColumnReduce',
    dispatchLayout: { x: [0] },
    dispatch: [plan.colBlocks, plan.chunks, batches],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: 'rows : i32, cols : i32, colBlock : i32, chunkRows : i32, batches : i32, scale : f32,',
    getUserCode: () => `
      var<workgroup> lanes : array<f32, ${WORKGROUP}>;

      fn main(index : i32) {
        let t = i32(localIndex);
        let col = i32(workgroupId.x) * uniforms.colBlock + t % uniforms.colBlock;
        let lane = t / uniforms.colBlock;
        let rowLanes = ${WORKGROUP} / uniforms.colBlock;
        let chunk = i32(workgroupId.y);
        let batch = i32(workgroupId.z);
        let base = batch * uniforms.rows * uniforms.cols;
        let first = chunk * uniforms.chunkRows;
        let end = min(first + uniforms.chunkRows, uniforms.rows);
        var acc = 0.0;
        if (lane < rowLanes && col < uniforms.cols) {
          for (var r = first + lane; r < end; r = r + rowLanes) {
            acc = acc + colX[base + r * uniforms.cols + col];
          }
        }
        lanes[t] = acc;
        workgroupBarrier();
        if (lane == 0 && col < uniforms.cols) {
          var sum = 0.0;
          for (var l = 0; l < rowLanes; l++) {
            sum = sum + lanes[l * uniforms.colBlock + t];
          }
          setOutputAtIndex((chunk * uniforms.batches + batch) * uniforms.cols + col, sum * uniforms.scale);
        }
      }
    `,
  });
}

/**
 * How a reduction over `axis` (as tfjs takes it) of a `shape` tensor runs here, as [batches, rows,
 * cols] summed over rows: every axis but the last (batches 1), or every axis but the first and the
 * last (a global average pool: batches = shape[0]); null for any other axes (tfjs's kernel).
 */
export function reduceLayout(axis: number | number[] | undefined, shape: number[]): { batches: number; rows: number; cols: number; kept: number[] } | null {
  if (shape.length < 2 || axis === undefined) return null;
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  const rank = shape.length;
  const cols = shape[rank - 1];
  const prod = (a: number[]) => a.reduce((n, v) => n * v, 1);
  if (axes.length === rank - 1 && axes.every((a, i) => a === i)) return { batches: 1, rows: prod(shape.slice(0, -1)), cols, kept: [] };
  if (rank >= 3 && axes.length === rank - 2 && axes.every((a, i) => a === i + 1)) return { batches: shape[0], rows: prod(shape.slice(1, -1)), cols, kept: [0] };
  return null;
}

const tfjsKernels = new Map<string, tf.KernelConfig>();

function columnReduceConfig(kernelName: 'Sum' | 'Mean'): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const { x } = args.inputs as unknown as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const own = tfjsKernels.get(kernelName)!;
      const layout = x.dtype === 'float32' && accelFlag(COLUMN_REDUCE_FLAG) ? reduceLayout(axis, x.shape) : null;
      if (!layout || layout.rows === 0 || layout.cols === 0 || layout.batches === 0 || layout.batches > 65535) return own.kernelFunc(args);
      const { batches, rows, cols } = layout;
      const outShape = keepDims
        ? x.shape.map((d, i) => (i === x.shape.length - 1 || layout.kept.includes(i) ? d : 1))
        : [...layout.kept.map((i) => x.shape[i]), cols];
      const be = args.backend as WebGPUBackend;
      const scale = kernelName === 'Mean' ? 1 / rows : 1;
      const plan = columnReducePlan(rows, cols, batches);
      const flat = { ...x, shape: [batches * rows * cols] };
      // one pass scales its own sums; two passes scale in the second
      const passScale = plan.chunks === 1 ? scale : 1;
      const partials = be.runWebGPUProgram(columnSumProgram(plan, cols, batches), [flat], 'float32', [
        ...ints(rows, cols, plan.colBlock, plan.chunkRows, batches),
        { type: 'float32', data: [passScale] },
      ]);
      const out = plan.chunks === 1 ? partials : sumChunks(be, partials, { name: 'HpaColumnReduceChunks', size: batches * cols, chunks: plan.chunks, scale });
      return { ...out, shape: outShape };
    },
  };
}

const configs = { Sum: columnReduceConfig('Sum'), Mean: columnReduceConfig('Mean') };

/** Puts the column reductions in front of tfjs's webgpu Sum and Mean (idempotent; tfjs's are kept and used for the rest). */
export function registerWebGpuColumnReduce(): void {
  for (const name of ['Sum', 'Mean'] as const) {
    const current = tf.getKernel(name, 'webgpu');
    if (!current || current.kernelFunc === configs[name].kernelFunc) continue;
    tfjsKernels.set(name, current);
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel(configs[name]);
  }
}

/** Puts tfjs's own webgpu Sum and Mean back. */
export function restoreTfjsColumnReduce(): void {
  for (const name of ['Sum', 'Mean'] as const) {
    const own = tfjsKernels.get(name);
    if (!own || tf.getKernel(name, 'webgpu')?.kernelFunc !== configs[name].kernelFunc) continue;
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel(own);
  }
}

/** Whether the column reductions are the webgpu Sum and Mean now. */
export const hasWebGpuColumnReduce = (): boolean => tf.getKernel('Sum', 'webgpu')?.kernelFunc === configs.Sum.kernelFunc;

/**
 * The check's cases: a conv bias gradient's shape, a dense layer's, more than 256 columns, an odd
 * count, and enough rows for the two-pass path (and for its second pass to add in lanes); global average pools (every axis but the first and
 * the last), one pass and two; Sum and Mean, with and without keepDims.
 */
const CASES: Array<{ shape: number[]; op: 'sum' | 'mean'; keepDims: boolean; pool?: boolean }> = [
  { shape: [3, 7, 5, 32], op: 'sum', keepDims: false },
  { shape: [9, 300], op: 'mean', keepDims: true },
  { shape: [2, 3, 5], op: 'sum', keepDims: true },
  { shape: [5, 40, 41, 12], op: 'mean', keepDims: false },
  { shape: [140000, 3], op: 'sum', keepDims: false }, // 546 chunks: 64 lanes in the second pass where lanes are on (a GPU; ./chunkSum.ts)
  { shape: [3, 7, 5, 32], op: 'mean', keepDims: false, pool: true },
  { shape: [2, 9, 300], op: 'sum', keepDims: true, pool: true },
  { shape: [3, 70, 61, 5], op: 'mean', keepDims: true, pool: true },
];

/**
 * The reductions on the active backend against double-precision sums, for CASES. Null when they
 * agree (to 1e-5 of the sum of magnitudes); else what differed, and on webgpu tfjs's kernels are back.
 */
export async function verifyColumnReduce(): Promise<string | null> {
  const backend = tf.getBackend();
  let seed = 11;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (const c of CASES) {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const cols = c.shape[c.shape.length - 1];
    const batches = c.pool ? c.shape[0] : 1;
    const rows = n / cols / batches;
    const xs = Float32Array.from({ length: n }, rand);
    const x = tf.tensor(xs, c.shape);
    const axes = c.shape
      .slice(0, -1)
      .map((_, i) => i)
      .slice(c.pool ? 1 : 0);
    const what = `${c.op} of [${c.shape}] over axes [${axes}]`;
    const y = c.op === 'sum' ? tf.sum(x, axes, c.keepDims) : tf.mean(x, axes, c.keepDims);
    try {
      const got = await y.data();
      const kept = c.pool ? [c.shape[0]] : [];
      const wantShape = c.keepDims ? [...kept, ...axes.map(() => 1), cols] : [...kept, cols];
      if (y.shape.join() !== wantShape.join()) return fail(`${what}: shape [${y.shape}], expected [${wantShape}]`);
      for (let b = 0; b < batches; b++) {
        for (let col = 0; col < cols; col++) {
          let sum = 0,
            mag = 0;
          for (let r = 0; r < rows; r++) {
            const v = xs[(b * rows + r) * cols + col];
            sum += v;
            mag += Math.abs(v);
          }
          const want = c.op === 'sum' ? sum : sum / rows;
          const tol = 1e-5 * (c.op === 'sum' ? mag : mag / rows) + 1e-7;
          const i = b * cols + col;
          if (!(Math.abs(got[i] - want) <= tol)) return fail(`${what}, ${c.pool ? `image ${b}, ` : ''}column ${col}: ${got[i]} vs ${want}`);
        }
      }
    } finally {
      tf.dispose([x, y]);
    }
  }
  return null;

  function fail(what: string): string {
    const fallback = backend === 'webgpu' && hasWebGpuColumnReduce();
    if (fallback) restoreTfjsColumnReduce();
    return `self-check failed on ${backend} (${what})${fallback ? "; tfjs's Sum and Mean run" : ''}`;
  }
}
