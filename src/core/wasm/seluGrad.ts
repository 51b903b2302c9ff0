/**
 * A one-pass SELU gradient for the wasm backend. tfjs's own Selu gradient runs six kernels over
 * the activation (Greater, Cast, Exp, three Multiplies, Select), ~40 ms per GapNet-PL step at
 * 128 px, batch 16. TensorFlow's SeluGrad instead reads the forward *output* y:
 *   dx = dy · scale            where y > 0 (⇔ x > 0)
 *   dx = dy · (y + scale·α)    elsewhere, since y = scale·α·(eˣ − 1) there
 * so it needs no exp: one loop over dy and y, on the wasm heap in place.
 *
 * Installed as the 'Selu' gradient while the wasm training kernels are registered: it saves the
 * output as well as the input and, on any backend other than wasm, hands over to tfjs's own
 * gradient unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The kernel name, as TensorFlow's op: SeluGrad(gradients, outputs). */
export const SELU_GRAD = 'SeluGrad';

// tfjs-core's constants (ops/selu_util)
const SCALE = 1.0507009873554804934193349852946;
const SCALE_ALPHA = 1.7580993408473768599402175208123;

export function seluGradValues(dy: Float32Array, y: Float32Array, dx: Float32Array = new Float32Array(dy.length)): Float32Array {
  for (let i = 0; i < dx.length; i++) {
    const v = y[i];
    dx[i] = v > 0 ? dy[i] * SCALE : dy[i] * (v + SCALE_ALPHA);
  }
  return dx;
}

export const seluGradKernelConfig: tf.KernelConfig = {
  kernelName: SELU_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, y } = inputs as unknown as { dy: tf.TensorInfo; y: tf.TensorInfo };
    const be = backend as unknown as BackendWasm;
    const out = be.makeOutput(dy.shape, 'float32'); // may grow the heap: take views after it
    seluGradValues(be.typedArrayFromHeap(dy) as Float32Array, be.typedArrayFromHeap(y) as Float32Array, be.typedArrayFromHeap(out) as Float32Array);
    return out;
  },
};

/** The 'Selu' gradient that uses SeluGrad on wasm and `original` (tfjs's) elsewhere. */
export function seluGradientConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.Selu,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, y] = saved;
      if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return original.gradFunc(dy, [x], attrs);
      return { x: () => tf.engine().runKernel(SELU_GRAD, { dy: dy as tf.Tensor, y }) as tf.Tensor };
    },
  };
}
