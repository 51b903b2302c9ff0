/**
 * SELU's gradient on webgpu in one pass, as TensorFlow's SeluGrad (and ../wasm/selu.ts) computes
 * it from the forward output y:
 *   dx = dy · scale            where y > 0 (⇔ x > 0)
 *   dx = dy · (y + scale·α)    elsewhere, since y = scale·α·(eˣ − 1) there.
 * tfjs's own gradient is seven kernels per SELU (Greater, Cast, Exp, three Multiplies, Select):
 * GapNet-PL has ten SELUs, so a training step encodes 60 fewer dispatches and makes six fewer
 * passes over every SELU activation.
 *
 * registerWebGpuSeluGrad() registers the kernel and installs the 'Selu' gradient that uses it
 * (../wasm/selu.ts's; on a backend without the kernel it runs tfjs's). verifySeluGrad() checks it
 * on the running GPU against the derivative computed in double precision, and unregisters it on a
 * mismatch.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { installSeluGradient, SELU_GRAD, SELU_SCALE, SELU_SCALE_ALPHA } from '../wasm/selu';
import { elementwiseProgram } from './elementwise';

export const seluGradWebGpuConfig: tf.KernelConfig = {
  kernelName: SELU_GRAD,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, y } = inputs as unknown as { dy: tf.TensorInfo; y: tf.TensorInfo };
    const n = dy.shape.reduce((a, b) => a * b, 1);
    if (dy.dtype !== 'float32' || y.dtype !== 'float32' || y.shape.reduce((a, b) => a * b, 1) !== n) {
      throw new RangeError(`SeluGrad on webgpu: dy and y must be float32 of one size, got ${dy.dtype} [${dy.shape}] and ${y.dtype} [${y.shape}]`);
    }
    const be = backend as WebGPUBackend;
    // flat views of the buffers (a reshape moves no data), and the result back in dy's shape
    const flat = (t: tf.TensorInfo) => ({ ...t, shape: [n] });
    const program = elementwiseProgram({
      key: 'hpaSeluGrad',
      locals: { seluDy: 'dy', seluY: 'y' },
      size: n,
      body: (t) => `setOutputAtIndex(index, select(dy * (y + ${t}(${SELU_SCALE_ALPHA})), dy * ${t}(${SELU_SCALE}), y > ${t}(0.0)));`,
    });
    const out = be.runWebGPUProgram(program, [flat(dy), flat(y)], 'float32');
    return { ...out, shape: [...dy.shape] };
  },
};

/** Registers SeluGrad for webgpu and the 'Selu' gradient that uses it (idempotent). */
export function registerWebGpuSeluGrad(): void {
  if (!tf.getKernel(SELU_GRAD, 'webgpu')) tf.registerKernel(seluGradWebGpuConfig);
  installSeluGradient();
}

/**
 * The SELU gradient through the tape on the active backend, against d/dx selu in double precision,
 * at 1,027 points (negative, zero, positive, large). Null when SeluGrad is registered and right;
 * else why it is off (on a mismatch it is unregistered: tfjs's gradient runs).
 */
export async function verifySeluGrad(): Promise<string | null> {
  const backend = tf.getBackend();
  if (!tf.getKernel(SELU_GRAD, backend)) return `not available on ${backend}`;
  const n = 1027;
  const xs = Float32Array.from({ length: n }, (_, i) => (i === 0 ? 0 : Math.sinh((i - 513) / 60)));
  const dys = Float32Array.from({ length: n }, (_, i) => 1 + (i % 7) / 3);
  const x = tf.tensor1d(xs),
    dy = tf.tensor1d(dys);
  const g = tf.grad((t: tf.Tensor) => tf.selu(t))(x, dy);
  try {
    const got = await g.data();
    for (let i = 0; i < n; i++) {
      const want = dys[i] * (xs[i] > 0 ? SELU_SCALE : SELU_SCALE_ALPHA * Math.exp(xs[i]));
      if (!(Math.abs(got[i] - want) <= 1e-5 * Math.max(1, Math.abs(want)))) {
        tf.unregisterKernel(SELU_GRAD, backend);
        return `self-check failed on ${backend} (x ${xs[i]}: ${got[i]} vs ${want}); tfjs's SELU gradient runs`;
      }
    }
    return null;
  } finally {
    tf.dispose([x, dy, g]);
  }
}
