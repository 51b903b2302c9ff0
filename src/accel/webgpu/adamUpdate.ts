/**
 * The fused Adam update (../fusedAdam.ts) on webgpu: one dispatch per weight, in place
 * (`adamUpdateInPlace`), or three through tfjs's programs (`adamUpdateWebGpu`), against tfjs's
 * fourteen.
 *
 * In place, one shader reads g and rewrites w, m and v in their own buffers (./directDispatch.ts):
 * no new tensors, nothing to assign or dispose. It needs each of w, m and v to own its data (a weight whose
 * data a clone shares must not change under the clone) and no kernel timing in progress;
 * otherwise the tfjs-program path runs.
 *
 * A tfjs webgpu program writes one output, and the update has three (w', m', v'), so that path is
 * three small shaders, each one pass over the weight:
 *   m' = β1·m + (1 − β1)·g
 *   v' = β2·v + (1 − β2)·g²
 *   w' = w − lr · (m' / c1) / (√(v' / c2) + ε)
 * The step's constants travel as uniforms, so each shader compiles once and is reused for every
 * weight and step. Weights whose size is a multiple of 4 (all of GapNet's) are processed as
 * vec4<f32>: a quarter of the threads (./elementwise.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AdamUpdateAttrs } from '../fusedAdam';
import { accelFlag, ADAM_IN_PLACE_FLAG } from '../flags';
import { bufferOf, directBackend, directPipeline, dispatchDirect, dropCpuValues, exclusive, groupsFor, uniformsOf } from './directDispatch';
import { elementwiseProgram, scalarUniforms, WORKGROUP } from './elementwise';
import { claimUniform, guardStepReplay } from './stepReplay';

/**
 * The kernel function; fusedAdam.ts registers it under ADAM_UPDATE for 'webgpu' (and checks the
 * inputs: float32, one size). Works on flat views of the buffers; the results take w's shape.
 */
export const adamUpdateWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { w, g, m, v } = inputs as Record<string, tf.TensorInfo>;
  const n = w.shape.reduce((p, d) => p * d, 1);
  const flat = (t: tf.TensorInfo) => ({ ...t, shape: [n] }); // a view: no data moves
  const a = attrs as unknown as AdamUpdateAttrs;
  const be = backend as WebGPUBackend;
  const m2 = be.runWebGPUProgram(
    elementwiseProgram({
      key: 'hpaAdamM',
      locals: { adamM: 'm', adamG: 'g' },
      size: n,
      uniforms: 'b : f32, ob : f32,',
      body: () => 'setOutputAtIndex(index, m * uniforms.b + g * uniforms.ob);',
    }),
    [flat(m), flat(g)],
    'float32',
    scalarUniforms(a.beta1, 1 - a.beta1),
  );
  const v2 = be.runWebGPUProgram(
    elementwiseProgram({
      key: 'hpaAdamV',
      locals: { adamV: 'v', adamG: 'g' },
      size: n,
      uniforms: 'b : f32, ob : f32,',
      body: () => 'setOutputAtIndex(index, v * uniforms.b + (g * g) * uniforms.ob);',
    }),
    [flat(v), flat(g)],
    'float32',
    scalarUniforms(a.beta2, 1 - a.beta2),
  );
  const w2 = be.runWebGPUProgram(
    elementwiseProgram({
      key: 'hpaAdamW',
      locals: { adamW: 'w', adamM: 'm', adamV: 'v' },
      size: n,
      uniforms: 'c1 : f32, c2 : f32, eps : f32, nlr : f32,',
      body: () => 'setOutputAtIndex(index, ((m / uniforms.c1) / (sqrt(v / uniforms.c2) + uniforms.eps)) * uniforms.nlr + w);',
    }),
    [flat(w), m2, v2],
    'float32',
    scalarUniforms(a.c1, a.c2, a.epsilon, -a.learningRate),
  );
  return [w2, m2, v2].map((t) => ({ ...t, shape: [...w.shape] }));
};

/** The in-place update; the arithmetic and its order are the three shaders' above. */
const inPlaceShader = (type: string) => `
  struct Step { b1 : f32, ob1 : f32, b2 : f32, ob2 : f32, c1 : f32, c2 : f32, eps : f32, nlr : f32 };
  @group(0) @binding(0) var<storage, read_write> w : array<${type}>;
  @group(0) @binding(1) var<storage, read_write> m : array<${type}>;
  @group(0) @binding(2) var<storage, read_write> v : array<${type}>;
  @group(0) @binding(3) var<storage, read> g : array<${type}>;
  @group(0) @binding(4) var<uniform> u : Step;
  @compute @workgroup_size(${WORKGROUP})
  fn main(@builtin(global_invocation_id) id : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
    let i = id.x + id.y * groups.x * ${WORKGROUP}u;
    if (i >= arrayLength(&g)) { return; }
    let gi = g[i];
    let mi = m[i] * u.b1 + gi * u.ob1;
    let vi = v[i] * u.b2 + (gi * gi) * u.ob2;
    m[i] = mi;
    v[i] = vi;
    w[i] = ((mi / u.c1) / (sqrt(vi / u.c2) + u.eps)) * u.nlr + w[i];
  }
`;

let inPlaceCount = 0;
/** How many weight updates have run in place in this context (the status line reports whether any has). */
export const inPlaceAdamUpdates = (): number => inPlaceCount;

/** One step's updates in place, or null where they cannot be (then every weight takes the kernel path). */
export interface InPlaceAdam {
  /** Updates one weight in place; false (and nothing done) when w, m or v shares its data. */
  update(w: tf.TensorInfo, g: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo): boolean;
}

/**
 * The in-place updater for one optimizer step with `a`'s constants, when the active backend is
 * webgpu and not timing kernels; else null. `next`: the constants of a replayed step, for a step
 * being recorded (./stepReplay.ts).
 */
export function adamUpdateInPlace(a: AdamUpdateAttrs, next?: () => AdamUpdateAttrs): InPlaceAdam | null {
  const be = directBackend();
  if (!be || !accelFlag(ADAM_IN_PLACE_FLAG)) return null; // false: every update takes the three-dispatch kernel path
  const values = (c: AdamUpdateAttrs) => [c.beta1, 1 - c.beta1, c.beta2, 1 - c.beta2, c.c1, c.c2, c.epsilon, -c.learningRate];
  const constants = values(a);
  return {
    update(w, g, m, v) {
      const n = w.shape.reduce((p, d) => p * d, 1);
      if (n === 0) return true;
      if (![w, m, v].every((t) => exclusive(be, t))) return false;
      // a uniform buffer per dispatch, as tfjs's own: tfjs returns it to its pool at the next
      // submit, which may come between two weights, and a buffer from the pool may be rewritten
      const uniforms = uniformsOf(be, constants);
      // a recorded step's replay writes the constants of its own step here (stepReplay.ts), and
      // replays only while w, m and v still own their data; it drops their CPU copies, as a
      // direct dispatch does
      if (next) {
        claimUniform(uniforms, 'Adam step constants', () => Float32Array.from(values(next())));
        guardStepReplay(() => {
          if (![w, m, v].every((t) => exclusive(be, t))) return 'a weight or moment shares its data with another tensor';
          dropCpuValues(be, [w, m, v]);
          return null;
        });
      }
      const comp = n % 4 === 0 ? 4 : 1;
      const pipeline = directPipeline(be, `hpaAdamInPlace${comp}`, () => inPlaceShader(comp === 4 ? 'vec4<f32>' : 'f32'));
      // bound with the weight's exact size: arrayLength(&g) is the element count
      const bind = (t: tf.TensorInfo) => ({ buffer: bufferOf(be, t), offset: 0, size: n * 4 });
      dispatchDirect(be, pipeline, [bind(w), bind(m), bind(v), bind(g), uniforms], groupsFor(n / comp, WORKGROUP), [w, g, m, v]);
      inPlaceCount++;
      return true;
    },
  };
}
