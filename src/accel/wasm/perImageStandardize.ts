/**
 * The per-image input normalisation of GapNet-PL, (x − mean) / (std + 1e-7) per image and channel,
 * as one wasm kernel: three strided passes per image and channel on the wasm heap, in float64. Composed of tfjs ops it is six kernels — Mean, Sub, Square, Mean, Sub,
 * Div, four of them broadcasting [B, 1, 1, C] against [B, H, W, C], which tfjs-backend-wasm does
 * element by element — 11.7 ms for a 128 px batch of 16, against ~3 ms here.
 *
 * InputNormalization uses this kernel whenever the active backend has one registered under
 * PER_IMAGE_STANDARDIZE; no gradient is registered (the layer normalises the model input, which
 * never needs one).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { PER_IMAGE_EPSILON, PER_IMAGE_STANDARDIZE } from '../../core/models/layers/inputNormalization';

/**
 * out = per image and channel (x − mean) / (population std + ε), for x [B, H·W, C] as flat arrays.
 * Two statistics passes (mean, then Σ(x − mean)², as the cpu backend's moments; the one-pass
 * E[x²] − mean² cancels badly on flat channels), each one strided loop per channel.
 */
export function perImageStandardizeValues(x: Float32Array, B: number, pixels: number, C: number, out: Float32Array): Float32Array {
  for (let b = 0; b < B; b++) {
    const start = b * pixels * C;
    const end = start + pixels * C;
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let i = start + c; i < end; i += C) sum += x[i];
      const mean = sum / pixels;
      let sq = 0;
      for (let i = start + c; i < end; i += C) {
        const d = x[i] - mean;
        sq += d * d;
      }
      const scale = 1 / (Math.sqrt(sq / pixels) + PER_IMAGE_EPSILON);
      for (let i = start + c; i < end; i += C) out[i] = (x[i] - mean) * scale;
    }
  }
  return out;
}

export const perImageStandardizeConfig: tf.KernelConfig = {
  kernelName: PER_IMAGE_STANDARDIZE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || x.shape.length !== 4)
      throw new Error(`${PER_IMAGE_STANDARDIZE}: needs a float32 [batch, height, width, channels] tensor, got ${x.dtype} [${x.shape.join(', ')}]`);
    const [B, H, W, C] = x.shape;
    const be = backend as unknown as BackendWasm;
    const out = be.makeOutput(x.shape, 'float32'); // may grow the heap: views after it
    perImageStandardizeValues(be.typedArrayFromHeap(x) as Float32Array, B, H * W, C, be.typedArrayFromHeap(out) as Float32Array);
    return out;
  },
};
