/**
 * The gradient of BatchNorm (tfjs's FusedBatchNorm kernel) in fewer, smaller passes.
 *
 * In training a BatchNormalization layer normalises with the batch's own moments:
 *   y = (x − mean) · r · scale + offset,   r = 1 / √(variance + ε)
 * with mean and variance per channel (the last axis). tfjs 4.22's gradient of this kernel builds a
 * full-size tensor by Tile just to broadcast r, computes x − mean and dy · scale at full size, and
 * then each partial derivative with its own full-size products: 8 full-size kernels and 4
 * reductions per layer, in GAPNet-Kaggle's nine BatchNorms every step.
 *
 * The same partial derivatives need only two channel sums, Σdy and Σdy·(x − mean):
 *   ∂x        = dy · (scale · r)                  (one broadcasting multiply)
 *   ∂offset   = Σdy
 *   ∂scale    = Σdy·(x − mean) · r
 *   ∂mean     = −(scale · r) · Σdy
 *   ∂variance = −½ · scale · r³ · Σdy·(x − mean)
 * that is three full-size kernels (the multiply for ∂x, x − mean, its product with dy) and two
 * reductions; the rest works on [C]-sized vectors. mean and variance stay separate inputs, as in
 * tfjs: their own gradients then flow back through the moments that produced them (that chain,
 * Sub, Square, two Means and the sums of the three paths into x, is untouched). A layer's forward
 * and backward pass then writes 17 full-size tensors instead of 22 (tf.profile on cpu; the test).
 *
 * The values equal tfjs's up to float32 rounding (the sums are taken in another order; a unit test
 * compares both, and a double-precision reference). Where mean is not a vector over the last axis
 * (a broadcast layout the studio's models do not use) tfjs's own gradient runs.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientOverride } from './gradientOverride';

export const batchNormGradConfig: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const C = x.shape[x.rank - 1];
    if (mean.rank !== 1 || mean.shape[0] !== C || variance.rank !== 1 || variance.shape[0] !== C || (scale && (scale.rank !== 1 || scale.shape[0] !== C))) {
      const original = batchNorm.original(tf.FusedBatchNorm);
      if (!original)
        throw new Error(
          `FusedBatchNorm gradient: mean ${JSON.stringify(mean.shape)} is not a vector over the last axis of x ${JSON.stringify(x.shape)}, and tfjs's own gradient is not kept`,
        );
      return original.gradFunc(dy, saved, attrs);
    }
    const g = dy as tf.Tensor;
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const r = tf.rsqrt(tf.add(variance, eps));
    const s = scale ?? tf.scalar(1);
    const k = tf.mul(s, r); // scale · r
    // made here, not inside the closures: the engine disposes what a closure makes once it returns
    const sumDy = tf.sum(g, axes);
    const sumDyXc = tf.sum(tf.mul(g, tf.sub(x, mean)), axes);
    return {
      x: () => tf.mul(g, k),
      offset: () => tf.clone(sumDy),
      scale: () => tf.mul(sumDyXc, r),
      mean: () => tf.neg(tf.mul(k, sumDy)),
      variance: () => tf.mul(tf.mul(tf.mul(s, tf.pow(r, 3)), -0.5), sumDyXc),
    };
  },
};

const batchNorm = gradientOverride(() => [batchNormGradConfig]);

/** Installs the gradient above (idempotent). */
export const installBatchNormGradient = (): void => batchNorm.install();

/** Puts tfjs's own gradient back (to time the studio before it). */
export const restoreBatchNormGradient = (): void => batchNorm.restore();

/** Whether the gradient above is the one in use. */
export const hasBatchNormGradient = (): boolean => batchNorm.installed();
