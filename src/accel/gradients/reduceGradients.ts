/**
 * The gradients of Mean and Sum without a tensor of ones built on the host.
 *
 * tfjs 4.22's Mean gradient is `div(mul(dy, ones(x.shape)), n)` and its Sum gradient
 * `mul(dy, ones(x.shape))`; `ones` fills a typed array of x's full size in JavaScript, which a GPU
 * backend then uploads through a freshly created staging buffer, every step. In GAPNet the global
 * average pools are Means over whole activations (pool1's output is 64×64×32 per image at 256 px,
 * 4.2 M values at batch 32), and GAPNet-Kaggle's BatchNorm takes two Means per layer in training.
 * On an NVIDIA H200 (Node + Dawn) JavaScript spent 58 ms encoding a GAPNet-PL step
 * at 256 px batch 32, and 134 ms at 512 px, growing with the image where the kernels do not.
 *
 * On GPU backends (webgpu, webgl) dy is divided (Mean) while still small and broadcast to x's shape
 * by one Tile kernel: the same values bit for bit (x·1 is exact, and the division is the same
 * float32 division per value), with no host array, no upload and one full-size pass instead of two.
 * On cpu and wasm tfjs's own gradient runs: there the ones array never leaves the host, and
 * XNNPACK's broadcasting multiply is faster than wasm's Tile (GAPNet-PL 128 px b16 on wasm: 231–248
 * ms per step with tfjs's gradient, 262–281 ms with the Tile; `npm run bench` on a 2-core EPYC).
 */
import * as tf from '@tensorflow/tfjs';
import { gradientOverride } from './gradientOverride';

/** dy reshaped with a 1 on every reduced axis, and the number of values each output reduced. */
function expand(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): { dy: tf.Tensor; n: number } {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return { dy: tf.reshape(dy, shape), n: axes.reduce((n, a) => n * x.shape[a], 1) };
}

/** Backends on which the gradients above broadcast with Tile; elsewhere tfjs's own run. */
export const BROADCAST_BACKENDS = new Set(['webgpu', 'webgl']);

/** tfjs's gradient for `kernelName` where the active backend is not one of BROADCAST_BACKENDS. */
function tfjsGradientHere(kernelName: string): tf.GradConfig | undefined {
  return BROADCAST_BACKENDS.has(tf.getBackend()) ? undefined : reduceGradients.original(kernelName);
}

export const meanGradConfig: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const own = tfjsGradientHere(tf.Mean);
    if (own) return own.gradFunc(dy, saved, attrs);
    const [x] = saved;
    return {
      x: () => {
        const e = expand(dy as tf.Tensor, x, (attrs as unknown as { axis: number | number[] }).axis);
        return tf.broadcastTo(tf.div(e.dy, e.n), x.shape);
      },
    };
  },
};

export const sumGradConfig: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const own = tfjsGradientHere(tf.Sum);
    if (own) return own.gradFunc(dy, saved, attrs);
    const [x] = saved;
    return { x: () => tf.broadcastTo(expand(dy as tf.Tensor, x, (attrs as unknown as { axis: number | number[] }).axis).dy, x.shape) };
  },
};

const reduceGradients = gradientOverride(() => [meanGradConfig, sumGradConfig]);

/** Installs the Mean and Sum gradients above (idempotent). */
export const installReduceGradients = (): void => reduceGradients.install();

/** Puts tfjs's own Mean and Sum gradients back (to time the studio before them). */
export const restoreReduceGradients = (): void => reduceGradients.restore();

/** Whether the gradients above are the ones in use. */
export const hasReduceGradients = (): boolean => reduceGradients.installed();
