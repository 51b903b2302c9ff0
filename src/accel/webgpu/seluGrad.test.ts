/**
 * The SELU-gradient self-check and the gradient's dispatch, in Node on the cpu backend (the WGSL
 * itself runs in the e2e webgpu test, where the check must pass): a correct SeluGrad kernel is
 * used through the tape and passes; a wrong one is caught, unregistered, and tfjs's gradient
 * takes over.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installSeluGradient, restoreSeluGradient, SELU_GRAD, seluGradValues } from '../wasm/selu';
import { verifySeluGrad } from './seluGrad';

type CpuBackend = { data: { get(id: tf.DataId): { values: Float32Array } }; makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo };

/** A SeluGrad for the cpu backend from the given loop. */
function cpuSeluGrad(loop: (dy: Float32Array, y: Float32Array) => Float32Array): tf.KernelConfig {
  return {
    kernelName: SELU_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const be = backend as unknown as CpuBackend;
      const { dy, y } = inputs as unknown as { dy: tf.TensorInfo; y: tf.TensorInfo };
      return be.makeTensorInfo(dy.shape, 'float32', loop(be.data.get(dy.dataId).values, be.data.get(y.dataId).values));
    },
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  installSeluGradient();
});
afterAll(() => {
  if (tf.getKernel(SELU_GRAD, 'cpu')) tf.unregisterKernel(SELU_GRAD, 'cpu');
  restoreSeluGradient();
});

describe('verifySeluGrad', () => {
  it('says so when the backend has no SeluGrad', async () => {
    expect(await verifySeluGrad()).toBe('not available on cpu');
  });

  it('passes a correct kernel, which the tape then uses (one kernel instead of seven)', async () => {
    tf.registerKernel(cpuSeluGrad((dy, y) => seluGradValues(dy, y)));
    expect(await verifySeluGrad()).toBeNull();
    const x = tf.tensor1d([-2, -0.5, 0, 0.5, 2]);
    const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.selu(t))(x));
    expect(info.kernels.map((k) => k.name)).toContain(SELU_GRAD);
    expect(info.kernels.map((k) => k.name)).not.toContain('Exp');
    x.dispose();
  });

  it("catches a wrong kernel, unregisters it, and tfjs's gradient runs again", async () => {
    tf.unregisterKernel(SELU_GRAD, 'cpu');
    // the common slip: scale·α used for x > 0 as well
    tf.registerKernel(cpuSeluGrad((dy, y) => dy.map((d, i) => d * (y[i] > 0 ? 1.7580993 : y[i] + 1.7580993))));
    expect(await verifySeluGrad()).toMatch(/^self-check failed on cpu \(x [\d.e+-]+: [\d.e+-]+ vs [\d.e+-]+\); tfjs's SELU gradient runs$/);
    expect(tf.getKernel(SELU_GRAD, 'cpu')).toBeUndefined();
    const x = tf.tensor1d([1, -1]);
    const g = await tf
      .grad((t: tf.Tensor) => tf.selu(t))(x)
      .data();
    expect(g[0]).toBeCloseTo(1.0507009873554805, 6);
    expect(g[1]).toBeCloseTo(1.7580993408473768 * Math.exp(-1), 6);
    x.dispose();
  });
});
