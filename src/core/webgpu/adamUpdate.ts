/**
 * The fused Adam update (../train/fusedAdam.ts) on webgpu: three dispatches per weight instead of
 * tfjs's fourteen.
 *
 * A tfjs webgpu program writes one output, and the update has three (w', m', v'), so it is three
 * small shaders, each one pass over the weight:
 *   m' = β1·m + (1 − β1)·g
 *   v' = β2·v + (1 − β2)·g²
 *   w' = w − lr · (m' / c1) / (√(v' / c2) + ε)
 * The step's constants travel as uniforms, so each shader compiles once and is reused for every
 * weight and step. Weights whose size is a multiple of 4 (all of GapNet's) are processed as
 * vec4<f32>: a quarter of the threads.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { AdamUpdateAttrs } from '../train/fusedAdam';

const WORKGROUP = 64;

function program(key: string, inputs: string[], uniforms: string, size: number, body: string): WebGPUProgram {
  const comp = size % 4 === 0 ? 4 : 1;
  const type = comp === 4 ? 'vec4<f32>' : 'f32';
  return {
    variableNames: inputs,
    outputShape: [size],
    shaderKey: `hpaAdam${key}${comp}`,
    dispatchLayout: { x: [0] },
    // the backend splits a dispatch over its per-dimension limit (65,535 workgroups) itself
    dispatch: [Math.ceil(size / comp / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    outputComponent: comp,
    variableComponents: inputs.map(() => comp),
    size: true,
    uniforms,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${inputs.map((name) => `let ${name.slice(4).toLowerCase()} : ${type} = ${name}[index];`).join('\n          ')}
          ${body}
        }
      }
    `,
  };
}

/** The kernel function; fusedAdam.ts registers it under ADAM_UPDATE for 'webgpu'. */
export const adamUpdateWebGpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { w, g, m, v } = inputs as Record<string, tf.TensorInfo>;
  const n = w.shape.reduce((p, d) => p * d, 1);
  for (const [k, t] of Object.entries({ w, g, m, v })) {
    if (t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== n) {
      throw new RangeError(`Adam update on webgpu: input ${k} must be float32 [${n}] like w, got ${t.dtype} [${t.shape}]`);
    }
  }
  const a = attrs as unknown as AdamUpdateAttrs;
  const be = backend as WebGPUBackend;
  // one entry per scalar: an entry of several values is laid out as a vector (vec2 alignment), not as f32 fields
  const f32 = (...values: number[]) => values.map((x) => ({ type: 'float32', data: [x] }));
  const m2 = be.runWebGPUProgram(program('M', ['adamM', 'adamG'], 'b : f32, ob : f32,', n, 'setOutputAtIndex(index, m * uniforms.b + g * uniforms.ob);'), [m, g], 'float32', f32(a.beta1, 1 - a.beta1));
  const v2 = be.runWebGPUProgram(program('V', ['adamV', 'adamG'], 'b : f32, ob : f32,', n, 'setOutputAtIndex(index, v * uniforms.b + (g * g) * uniforms.ob);'), [v, g], 'float32', f32(a.beta2, 1 - a.beta2));
  const w2 = be.runWebGPUProgram(
    program('W', ['adamW', 'adamM', 'adamV'], 'c1 : f32, c2 : f32, eps : f32, nlr : f32,', n, 'setOutputAtIndex(index, ((m / uniforms.c1) / (sqrt(v / uniforms.c2) + uniforms.eps)) * uniforms.nlr + w);'),
    [w, m2, v2],
    'float32',
    f32(a.c1, a.c2, a.epsilon, -a.learningRate),
  );
  return [w2, m2, v2];
};
