/**
 * AlphaDropout (src/core/models/layers/seededDropout.ts) in one webgpu kernel each way.
 *
 * As tfjs ops the layer is eight kernels forward (compare, cast, two multiplies, a subtract, three
 * adds and multiplies) with six scalars uploaded, and four more backward: GAPNet-PL's two
 * AlphaDropouts were about 24 of a training step's ~190 dispatches. Fused:
 *   forward   y  = select(α'·a + b, x·a + b, noise ≥ rate)
 *   backward  dx = select(0, dy·a, noise ≥ rate)
 * reading the layer's uniform noise (the same seeded draw as the ops', so a run's masks are the
 * same with the kernel or without) and taking rate, a, b as uniforms, so one shader serves every layer and step. The
 * gradient is registered for ALPHA_DROPOUT on every backend; only webgpu has the kernels, and the
 * layer uses them only where they are registered.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ALPHA_DROPOUT, ALPHA_DROPOUT_GRAD, alphaDropoutAffine, alphaDropoutOps, SELU_ALPHA_PRIME } from '../../core/models/layers/seededDropout';
import { elementwiseProgram, scalarUniforms } from './elementwise';

interface Attrs {
  rate: number;
  a: number;
  b: number;
}

function sizes(what: string, u: tf.TensorInfo, noise: tf.TensorInfo): number {
  const n = u.shape.reduce((p, d) => p * d, 1);
  if (u.dtype !== 'float32' || noise.dtype !== 'float32' || noise.shape.reduce((p, d) => p * d, 1) !== n) {
    throw new RangeError(`${what} on webgpu: both inputs must be float32 of one size, got ${u.dtype} [${u.shape}] and ${noise.dtype} [${noise.shape}]`);
  }
  return n;
}

const f32 = Math.fround;

export const alphaDropoutWebGpuConfig: tf.KernelConfig = {
  kernelName: ALPHA_DROPOUT,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, noise } = inputs as unknown as { x: tf.TensorInfo; noise: tf.TensorInfo };
    const { rate, a, b } = attrs as unknown as Attrs;
    const n = sizes('AlphaDropout', x, noise);
    const flat = (t: tf.TensorInfo) => ({ ...t, shape: [n] });
    const program = elementwiseProgram({
      key: 'hpaAlphaDropout',
      locals: { adX: 'x', adNoise: 'noise' },
      size: n,
      uniforms: 'rate : f32, a : f32, b : f32, dropped : f32,',
      body: (t) => `setOutputAtIndex(index, select(${t}(uniforms.dropped), x * uniforms.a + uniforms.b, noise >= ${t}(uniforms.rate)));`,
    });
    // a dropped unit's value rounded as the ops compute it: f32(f32(α'·a) + b)
    const dropped = f32(f32(f32(SELU_ALPHA_PRIME) * f32(a)) + f32(b));
    const out = (backend as WebGPUBackend).runWebGPUProgram(program, [flat(x), flat(noise)], 'float32', scalarUniforms(rate, a, b, dropped));
    return { ...out, shape: [...x.shape] };
  },
};

export const alphaDropoutGradWebGpuConfig: tf.KernelConfig = {
  kernelName: ALPHA_DROPOUT_GRAD,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, noise } = inputs as unknown as { dy: tf.TensorInfo; noise: tf.TensorInfo };
    const { rate, a } = attrs as unknown as Attrs;
    const n = sizes('AlphaDropout gradient', dy, noise);
    const flat = (t: tf.TensorInfo) => ({ ...t, shape: [n] });
    const program = elementwiseProgram({
      key: 'hpaAlphaDropoutGrad',
      locals: { adDy: 'dy', adNoise: 'noise' },
      size: n,
      uniforms: 'rate : f32, a : f32,',
      body: (t) => `setOutputAtIndex(index, select(${t}(0.0), dy * uniforms.a, noise >= ${t}(uniforms.rate)));`,
    });
    const out = (backend as WebGPUBackend).runWebGPUProgram(program, [flat(dy), flat(noise)], 'float32', scalarUniforms(rate, a));
    return { ...out, shape: [...dy.shape] };
  },
};

const alphaDropoutGradConfig: tf.GradConfig = {
  kernelName: ALPHA_DROPOUT,
  inputsToSave: ['noise'],
  gradFunc: (dy, saved, attrs) => {
    const [noise] = saved;
    return {
      x: () => tf.engine().runKernel(ALPHA_DROPOUT_GRAD, { dy: dy as tf.Tensor, noise }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      noise: () => tf.zerosLike(noise), // noise is drawn, not learned: nothing flows back into it
    };
  },
};

/** Registers the fused AlphaDropout for webgpu and its gradient (idempotent). */
export function registerWebGpuAlphaDropout(): void {
  if (!tf.getKernel(ALPHA_DROPOUT, 'webgpu')) tf.registerKernel(alphaDropoutWebGpuConfig);
  if (!tf.getKernel(ALPHA_DROPOUT_GRAD, 'webgpu')) tf.registerKernel(alphaDropoutGradWebGpuConfig);
  if (!tf.getGradient(ALPHA_DROPOUT)) tf.registerGradient(alphaDropoutGradConfig);
}

/**
 * Checks the fused AlphaDropout on the active backend against the layer's tfjs ops, forward and
 * gradient, on 1,027 values (scalar shader) and 1,028 (vec4), rate 0.3, noise crossing the rate.
 * Null when they agree (to 1e-6 relative: the kernel may fuse a multiply-add); otherwise what
 * differed, and the kernels are unregistered so the layer runs its ops.
 */
export async function verifyAlphaDropout(): Promise<string | null> {
  const backend = tf.getBackend();
  if (!tf.getKernel(ALPHA_DROPOUT, backend)) return `not available on ${backend}`;
  const rate = 0.3;
  const { a, b } = alphaDropoutAffine(rate);
  for (const n of [1027, 1028]) {
    const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 3);
    const ns = Float32Array.from({ length: n }, (_, i) => (i === 0 ? rate : ((i * 7919) % 1000) / 1000)); // 0.3 itself is kept
    const dys = Float32Array.from({ length: n }, (_, i) => 1 + (i % 5) / 4);
    const [x, noise, dy] = [tf.tensor1d(xs), tf.tensor1d(ns), tf.tensor1d(dys)];
    const fused = (t: tf.Tensor) => tf.engine().runKernel(ALPHA_DROPOUT, { x: t, noise }, { rate, a, b }) as tf.Tensor;
    const ops = (t: tf.Tensor) => alphaDropoutOps(t, noise, rate);
    const results = [fused(x), ops(x), tf.grad(fused)(x, dy), tf.grad(ops)(x, dy)];
    try {
      const [yf, yo, gf, go] = await Promise.all(results.map((t) => t.data()));
      for (const [what, got, want] of [
        ['forward', yf, yo],
        ['gradient', gf, go],
      ] as const) {
        for (let i = 0; i < n; i++) {
          if (!(Math.abs(got[i] - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])))) {
            tf.unregisterKernel(ALPHA_DROPOUT, backend);
            tf.unregisterKernel(ALPHA_DROPOUT_GRAD, backend);
            return `self-check failed on ${backend} (${what}, ${n} values, element ${i}: ${got[i]} vs ${want[i]}); AlphaDropout runs as tfjs ops`;
          }
        }
      }
    } finally {
      tf.dispose([x, noise, dy, ...results]);
    }
  }
  return null;
}
