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
 * vec4<f32>: a quarter of the threads (./elementwise.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AdamUpdateAttrs } from '../train/fusedAdam';
import { elementwiseProgram, scalarUniforms } from './elementwise';

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
    elementwiseProgram({ key: 'hpaAdamM', locals: { adamM: 'm', adamG: 'g' }, size: n, uniforms: 'b : f32, ob : f32,', body: () => 'setOutputAtIndex(index, m * uniforms.b + g * uniforms.ob);' }),
    [flat(m), flat(g)],
    'float32',
    scalarUniforms(a.beta1, 1 - a.beta1),
  );
  const v2 = be.runWebGPUProgram(
    elementwiseProgram({ key: 'hpaAdamV', locals: { adamV: 'v', adamG: 'g' }, size: n, uniforms: 'b : f32, ob : f32,', body: () => 'setOutputAtIndex(index, v * uniforms.b + (g * g) * uniforms.ob);' }),
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
