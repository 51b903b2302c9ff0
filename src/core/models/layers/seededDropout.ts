/**
 * Dropout layers whose masks are reproducible: each training call draws its mask from
 * (seed, number of training calls so far), so a run with the same seed repeats exactly on the
 * same backend while every step still gets a fresh mask. Identity at inference.
 *
 *  - SeededDropout: ordinary inverted dropout (the Keras kernel's Dropout).
 *  - AlphaDropout: SELU dropout (Klambauer et al. 2017), which tfjs lacks: dropped units are set
 *    to α' = −λα ≈ −1.7581 and the result is scaled by a and shifted by b so mean 0 and variance 1
 *    are kept: a = (q + α'² q (1 − q))^(−1/2), b = −a α' (1 − q), q = 1 − rate.
 *    Each element is dropped independently (as Keras' AlphaDropout does; the authors' TeLL code
 *    shares one mask per feature across the batch).
 */
import * as tf from '@tensorflow/tfjs';
import { claimUpload } from '../../train/stepRunner';

export const SELU_ALPHA_PRIME = -1.7580993408473766;

export interface SeededDropoutArgs {
  rate: number;
  seed?: number;
  name?: string;
}

/** A 32-bit seed for call `n` of a layer seeded with `seed`. */
function stepSeed(seed: number, n: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

abstract class DropoutBase extends tf.layers.Layer {
  readonly rate: number;
  readonly seed: number | undefined;
  private calls = 0;

  /**
   * Masks drawn so far: part of a run's state, kept in its checkpoints (src/core/train/checkpoint.ts)
   * so that a resumed run draws the masks the uninterrupted run would have drawn.
   */
  get maskDraws(): number {
    return this.calls;
  }
  set maskDraws(n: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`mask draws must be an integer ≥ 0, got ${n}`);
    this.calls = n;
  }

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /** Uniform [0,1) noise for the next training call, seeded if the layer has a seed. */
  protected noise(shape: number[]): tf.Tensor {
    const noise = this.draw(shape);
    // a recorded training step's replay draws the next call's noise the same way (src/accel/webgpu/stepReplay.ts)
    claimUpload(noise, `${this.name} noise`, () => {
      const next = this.draw(shape);
      const values = next.dataSync(); // held on the CPU: tfjs draws random values in JavaScript
      next.dispose();
      return values;
    });
    return noise;
  }

  private draw(shape: number[]): tf.Tensor {
    const n = this.calls++;
    return tf.randomUniform(shape, 0, 1, 'float32', this.seed === undefined ? undefined : stepSeed(this.seed, n));
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs?.training || this.rate === 0) return tf.clone(x);
    return tf.tidy(() => this.drop(x));
  }

  protected abstract drop(x: tf.Tensor): tf.Tensor;

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}

export class SeededDropout extends DropoutBase {
  static className = 'HpaSeededDropout';

  protected drop(x: tf.Tensor): tf.Tensor {
    const keep = tf.cast(tf.greaterEqual(this.noise(x.shape), this.rate), 'float32');
    return tf.mul(x, tf.div(keep, 1 - this.rate));
  }
}
tf.serialization.registerClass(SeededDropout);

/**
 * The fused AlphaDropout kernels, registered where a backend has them (webgpu:
 * src/accel/webgpu/alphaDropout.ts). ALPHA_DROPOUT: inputs x and noise (float32, one shape), attrs
 * {rate, a, b}: y = x·a + b where noise ≥ rate, else α'·a + b. ALPHA_DROPOUT_GRAD: inputs dy and
 * noise, attrs {rate, a}: dx = dy·a where noise ≥ rate, else 0.
 */
export const ALPHA_DROPOUT = 'HpaAlphaDropout';
export const ALPHA_DROPOUT_GRAD = 'HpaAlphaDropoutGrad';

/** AlphaDropout's affine constants for a drop rate: y = a·(kept x, or α') + b. */
export function alphaDropoutAffine(rate: number): { a: number; b: number } {
  const q = 1 - rate;
  const a = 1 / Math.sqrt(q + SELU_ALPHA_PRIME * SELU_ALPHA_PRIME * q * (1 - q));
  return { a, b: -a * SELU_ALPHA_PRIME * (1 - q) };
}

/** AlphaDropout of x given its uniform noise, as tfjs ops (8 kernels forward; the fused kernel's reference). */
export function alphaDropoutOps(x: tf.Tensor, noise: tf.Tensor, rate: number): tf.Tensor {
  return tf.tidy(() => {
    const { a, b } = alphaDropoutAffine(rate);
    const keep = tf.cast(tf.greaterEqual(noise, rate), 'float32');
    const kept = tf.add(tf.mul(x, keep), tf.mul(tf.sub(1, keep), SELU_ALPHA_PRIME));
    return tf.add(tf.mul(kept, a), b);
  });
}

export class AlphaDropout extends DropoutBase {
  static className = 'HpaAlphaDropout';

  protected drop(x: tf.Tensor): tf.Tensor {
    const noise = this.noise(x.shape);
    if (x.dtype === 'float32' && tf.getKernel(ALPHA_DROPOUT, tf.getBackend())) {
      return tf.engine().runKernel(ALPHA_DROPOUT, { x, noise }, { rate: this.rate, ...alphaDropoutAffine(this.rate) }) as tf.Tensor;
    }
    return alphaDropoutOps(x, noise, this.rate);
  }
}
tf.serialization.registerClass(AlphaDropout);
