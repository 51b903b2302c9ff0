/**
 * The second pass of the studio's split reductions (the conv filter gradient, the column
 * reduction): pass 1 leaves `chunks` partial results of `size` values each, laid out
 * [chunk, value]; here each value's partials are added up and scaled. Where a value count is a
 * multiple of 4 the caller may add them as vec4 (`comp` 4: a quarter of the columns).
 *
 * Lanes (the default): with one thread adding a value's partials one after another, a sum with
 * few values and many chunks runs on a handful of threads, each waiting on a thousand memory
 * reads in a row: GAPNet-PL's first conv at 256 px, batch 32, leaves 1,024
 * chunks of 288 vec4 filter values (288 threads), its bias gradient 1,024 chunks of 32 values (32
 * threads). On an H200 those sums took 0.46 (filter gradients) and 0.35 ms (column reductions) of
 * the step's ~9 GPU ms (bench/results/gpu-h200-summary.md), more than the passes that
 * read the whole activations. So a 256-thread workgroup takes `columns` values and gives each
 * `lanes` threads: lane l adds chunks l, l + lanes, l + 2·lanes, … in that order, and after one
 * workgroup barrier lane 0 adds the lanes' sums in lane order. The order is fixed by (size,
 * chunks), so a sum is the same on every run; with one lane (fewer than 16 chunks) it is the
 * chunk-order sum of one thread per value, bit for bit. The lanes meet in that workgroup barrier, which a
 * GPU runs at once but a software adapter (SwiftShader) emulates at a high price, so there the sum
 * stays one thread per value (useChunkSumLanes). verifyChunkSum() checks both ways against
 * double-precision sums when the backend starts; HPA_CHUNK_SUM_LANES=false forces one thread per
 * value (the bench's before).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs';
import { intUniforms, namedProgram } from './elementwise';
import { accelFlag, CHUNK_SUM_LANES_FLAG } from '../flags';

const WORKGROUP = 256;
/** most lanes per value */
const MAX_LANES = 64;
/** chunks each lane should add at least (fewer: more columns per workgroup instead) */
const MIN_PER_LANE = 8;

/**
 * How `columns` (values, or vec4s of values) summed over `chunks` partials are laid out: `lanes`
 * threads per column (a power of two, ≤ 64), 256 / lanes columns per workgroup.
 */
export function chunkSumPlan(columns: number, chunks: number): { lanes: number; perGroup: number; workgroups: number } {
  let lanes = 1;
  while (lanes * 2 <= MAX_LANES && lanes * 2 * MIN_PER_LANE <= chunks) lanes *= 2;
  const perGroup = WORKGROUP / lanes;
  return { lanes, perGroup, workgroups: Math.ceil(columns / perGroup) };
}

/**
 * The sum's program: with a plan, in lanes (256-thread workgroups); without, one thread per value
 * (64-thread workgroups, HPA_CHUNK_SUM_LANES=false or a software adapter).
 */
function sumProgram(name: string, size: number, comp: number, plan: ReturnType<typeof chunkSumPlan> | null): WebGPUProgram {
  const type = comp === 4 ? 'vec4<f32>' : 'f32';
  const common = {
    variableNames: ['partials'],
    outputShape: [size],
    dispatchLayout: { x: [0] },
    outputComponent: comp,
    variableComponents: [comp],
    size: true,
  };
  if (!plan) {
    return namedProgram(name, {
      ...common,
      shaderKey: `hpaChunkSum${comp}`,
      dispatch: [Math.ceil(size / comp / 64), 1, 1],
      workgroupSize: [64, 1, 1],
      uniforms: 'chunks : i32, scale : f32,',
      getUserCode: () => `
        fn main(index : i32) {
          if (index < uniforms.size) {
            var acc = ${type}(0.0);
            for (var c = 0; c < uniforms.chunks; c++) {
              acc = acc + partials[c * uniforms.size + index];
            }
            setOutputAtIndex(index, acc * uniforms.scale);
          }
        }
      `,
    });
  }
  return namedProgram(name, {
    ...common,
    shaderKey: `hpaChunkLaneSum${comp}`,
    dispatch: [plan.workgroups, 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms: 'chunks : i32, lanes : i32, perGroup : i32, scale : f32,',
    getUserCode: () => `
      var<workgroup> laneSums : array<${type}, ${WORKGROUP}>;

      fn main(index : i32) {
        let t = i32(localIndex);
        // the backend may split a long dispatch over y and z (65,535 workgroups a dimension)
        let group = i32((workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x);
        let col = group * uniforms.perGroup + t % uniforms.perGroup;
        let lane = t / uniforms.perGroup;
        var acc = ${type}(0.0);
        if (col < uniforms.size) {
          for (var c = lane; c < uniforms.chunks; c = c + uniforms.lanes) {
            acc = acc + partials[c * uniforms.size + col];
          }
        }
        laneSums[t] = acc;
        workgroupBarrier();
        if (lane == 0 && col < uniforms.size) {
          var sum = laneSums[t];
          for (var l = 1; l < uniforms.lanes; l++) {
            sum = sum + laneSums[l * uniforms.perGroup + t];
          }
          setOutputAtIndex(col, sum * uniforms.scale);
        }
      }
    `,
  });
}

/** Whether the checked lanes are used (./chunkSum's start check and the adapter decide; see useChunkSumLanes). */
let lanesUsed = true;

/**
 * Uses lanes or not (the start check: on a software adapter not, and not after a failed check).
 * On SwiftShader (Node + Dawn, 2-core EPYC) the workgroup barrier made the lane
 * program 2–6× slower than one thread per value, alone, and a GAPNet-PL 128 px batch-8 step's
 * filter-gradient sums 15–17 → 303–466 ms of GPU time (timestamp queries, three runs each).
 */
export function useChunkSumLanes(on: boolean): void {
  lanesUsed = on;
}

/** Whether sums go in lanes now (HPA_CHUNK_SUM_LANES=false forces one thread per value). */
export const chunkSumLanes = (): boolean => lanesUsed && accelFlag(CHUNK_SUM_LANES_FLAG);

/** The sum of `partials` in lanes or one thread per value; `partials` is left as it is. */
function runSum(
  be: WebGPUBackend,
  partials: TensorInfo,
  o: { name: string; size: number; chunks: number; comp?: number; scale?: number },
  lanes: boolean,
): TensorInfo {
  const comp = o.comp ?? 1;
  const scale = { type: 'float32', data: [o.scale ?? 1] };
  if (!lanes) return be.runWebGPUProgram(sumProgram(o.name, o.size, comp, null), [partials], 'float32', [...intUniforms(o.chunks), scale]);
  const plan = chunkSumPlan(o.size / comp, o.chunks);
  return be.runWebGPUProgram(sumProgram(o.name, o.size, comp, plan), [partials], 'float32', [...intUniforms(o.chunks, plan.lanes, plan.perGroup), scale]);
}

/**
 * The `size` values summed over `chunks` partials [chunks, size] and scaled; `partials` is
 * consumed (disposed). `name` labels the program in per-kernel GPU times.
 */
export function sumChunks(
  be: WebGPUBackend,
  partials: TensorInfo,
  o: { name: string; size: number; chunks: number; comp?: number; scale?: number },
): TensorInfo {
  const out = runSum(be, partials, o, chunkSumLanes());
  be.disposeData(partials.dataId);
  return out;
}

/** The check's cases (values, chunks, vec4 or not): 64, 16, 2 and 1 lanes. */
const CASES: Array<{ size: number; chunks: number; comp: number }> = [
  { size: 96, chunks: 600, comp: 4 },
  { size: 37, chunks: 130, comp: 1 },
  { size: 20, chunks: 20, comp: 4 },
  { size: 5, chunks: 9, comp: 1 },
];

/**
 * Both ways of the sum on the webgpu backend against double-precision sums, for CASES. Null when
 * both agree (to 1e-5 of the sum of magnitudes); else what differed, having chosen the way that
 * works: a wrong lane sum turns lanes off, a wrong one-thread sum turns lanes on (on any adapter:
 * right before fast); with both wrong, the column reduction's and the filter gradient's own
 * checks then fail and put tfjs's kernels back.
 */
export async function verifyChunkSum(): Promise<string | null> {
  const be = tf.backend() as WebGPUBackend;
  let seed = 3;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const wrong: [string | null, string | null] = [null, null]; // lanes, one thread per value
  for (const c of CASES) {
    const data = Float32Array.from({ length: c.size * c.chunks }, rand);
    const partials = tf.tensor1d(data);
    const results = [true, false].map((lanes) =>
      tf.engine().makeTensorFromTensorInfo(runSum(be, partials, { name: 'HpaChunkSumCheck', size: c.size, chunks: c.chunks, comp: c.comp, scale: 0.5 }, lanes)),
    );
    // the scaled sums in double precision, and their tolerance (1e-5 of the scaled magnitudes)
    const want = new Float64Array(c.size),
      tol = new Float64Array(c.size);
    for (let k = 0; k < c.chunks; k++) {
      for (let v = 0; v < c.size; v++) {
        want[v] += 0.5 * data[k * c.size + v];
        tol[v] += 0.5e-5 * Math.abs(data[k * c.size + v]);
      }
    }
    try {
      for (const [i, way] of ['lanes', 'one thread per value'].entries()) {
        const got = await results[i].data();
        const v = want.findIndex((w, j) => !(Math.abs(got[j] - w) <= tol[j] + 1e-7));
        if (v >= 0) wrong[i] ??= `${way}: ${c.size} values over ${c.chunks} chunks${c.comp === 4 ? ' as vec4' : ''}, value ${v}: ${got[v]} vs ${want[v]}`;
      }
    } finally {
      tf.dispose([partials, ...results]);
    }
  }
  const [lanes, serial] = wrong;
  if (!lanes && !serial) return null;
  useChunkSumLanes(!lanes);
  if (lanes && serial) return `self-check failed (${lanes}; ${serial})`;
  return `self-check failed (${lanes ?? serial}); ${lanes ? 'one thread per value' : 'lanes'} used`;
}
