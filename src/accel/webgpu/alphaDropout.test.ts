/**
 * The fused AlphaDropout's self-check, its gradient and the layer's use of it, in Node on the cpu
 * backend with cpu kernels of the same formulas (the WGSL itself runs in the e2e webgpu test, where
 * the check must pass): a correct kernel pair is used by the layer, gives the ops' values and
 * gradient, and passes; a wrong one is caught and unregistered, and the layer runs its ops again.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA_DROPOUT, ALPHA_DROPOUT_GRAD, AlphaDropout, alphaDropoutAffine, SELU_ALPHA_PRIME } from '../../core/models/layers/seededDropout';
import { registerWebGpuAlphaDropout, verifyAlphaDropout } from './alphaDropout';

type CpuBackend = { data: { get(id: tf.DataId): { values: Float32Array } }; makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo };
type Attrs = { rate: number; a: number; b: number };

function cpuKernel(name: string, f: (u: number, noise: number, at: Attrs) => number): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as CpuBackend;
      const [u, noise] = Object.values(inputs) as tf.TensorInfo[];
      const nv = be.data.get(noise.dataId).values;
      return be.makeTensorInfo(
        u.shape,
        'float32',
        be.data.get(u.dataId).values.map((v, i) => f(v, nv[i], attrs as unknown as Attrs)),
      );
    },
  };
}
const forward = (x: number, noise: number, { rate, a, b }: Attrs) => (noise >= rate ? x * a + b : SELU_ALPHA_PRIME * a + b);
const backward = (dy: number, noise: number, { rate, a }: Attrs) => (noise >= rate ? dy * a : 0);

function register(fwd: typeof forward, bwd: typeof backward) {
  for (const n of [ALPHA_DROPOUT, ALPHA_DROPOUT_GRAD]) if (tf.getKernel(n, 'cpu')) tf.unregisterKernel(n, 'cpu');
  tf.registerKernel(cpuKernel(ALPHA_DROPOUT, fwd));
  tf.registerKernel(cpuKernel(ALPHA_DROPOUT_GRAD, bwd));
}

/** A seeded AlphaDropout layer's training output and input gradient for x, with the kernels as registered now. */
async function layerRun(x: tf.Tensor) {
  const layer = new AlphaDropout({ rate: 0.3, seed: 7 });
  const dy = tf.linspace(0.5, 2, x.size).reshape(x.shape);
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const g = tf.grad((t: tf.Tensor) => new AlphaDropout({ rate: 0.3, seed: 7 }).apply(t, { training: true }) as tf.Tensor)(x, dy);
  const out = { y: await y.data(), g: await g.data() };
  tf.dispose([dy, y, g]);
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerWebGpuAlphaDropout(); // registers the gradient (and the webgpu kernels, unused here)
});
afterAll(() => {
  for (const n of [ALPHA_DROPOUT, ALPHA_DROPOUT_GRAD]) if (tf.getKernel(n, 'cpu')) tf.unregisterKernel(n, 'cpu');
});

describe('fused AlphaDropout', () => {
  const x = tf.tensor2d(
    Array.from({ length: 4 * 256 }, (_, i) => Math.cos(i * 0.11) * 2),
    [4, 256],
  );

  it('says so when the backend has no kernel, and the layer then runs tfjs ops', async () => {
    expect(await verifyAlphaDropout()).toBe('not available on cpu');
    const info = await tf.profile(() => new AlphaDropout({ rate: 0.3, seed: 7 }).apply(x, { training: true }) as tf.Tensor);
    expect(info.kernels.map((k) => k.name)).toContain('GreaterEqual');
  });

  it('passes a correct kernel pair, which the layer then uses: one kernel forward, the same values and gradient as the ops', async () => {
    const ops = await layerRun(x);
    register(forward, backward);
    expect(await verifyAlphaDropout()).toBeNull();
    const info = await tf.profile(() => new AlphaDropout({ rate: 0.3, seed: 7 }).apply(x, { training: true }) as tf.Tensor);
    expect(info.kernels.map((k) => k.name)).toEqual(expect.arrayContaining([ALPHA_DROPOUT]));
    expect(info.kernels.map((k) => k.name)).not.toContain('GreaterEqual');
    const fused = await layerRun(x);
    // the same seeded mask: dropped units (gradient 0, value α'·a + b) in the same places
    const { a, b } = alphaDropoutAffine(0.3);
    const dropped = Array.from(fused.y).filter((v, i) => ops.g[i] === 0 && Math.abs(v - (SELU_ALPHA_PRIME * a + b)) < 1e-6).length;
    expect(dropped).toBeGreaterThan(200); // ~30% of 1,024
    for (let i = 0; i < x.size; i++) {
      expect(fused.y[i]).toBeCloseTo(ops.y[i], 5);
      expect(fused.g[i]).toBeCloseTo(ops.g[i], 5);
    }
  });

  it('catches a wrong kernel (the kept test inverted at the boundary), unregisters both, and the layer runs its ops again', async () => {
    register((v, n, at) => forward(v, n === Math.fround(at.rate) ? 0 : n, at), backward);
    expect(await verifyAlphaDropout()).toMatch(
      /^self-check failed on cpu \(forward, 1027 values, element 0: -?[\d.e+-]+ vs -?[\d.e+-]+\); AlphaDropout runs as tfjs ops$/,
    );
    expect(tf.getKernel(ALPHA_DROPOUT, 'cpu')).toBeUndefined();
    expect(tf.getKernel(ALPHA_DROPOUT_GRAD, 'cpu')).toBeUndefined();
    register(forward, (dy, n, at) => backward(dy, n, at) * 1.001); // a gradient off by 0.1%
    expect(await verifyAlphaDropout()).toMatch(/^self-check failed on cpu \(gradient, 1027 values/);
  });
});
