/**
 * The model's first layer: turns raw 0..255 pixel values into the network's input scale, so a
 * saved model carries its own preprocessing.
 *  - 'per-image': per image and per channel (x − mean) / (std + 1e-7), population std over the
 *    pixels (GapNet-PL, pyll's NormalizeByImage).
 *  - 'div255': x / 255 (the Keras kernel).
 */
import * as tf from '@tensorflow/tfjs';

export type NormalisationMode = 'per-image' | 'div255';

export interface InputNormalizationArgs {
  mode: NormalisationMode;
  name?: string;
}

export const PER_IMAGE_EPSILON = 1e-7;

/**
 * The name under which a backend may register a one-kernel 'per-image' normalisation of a
 * float32 [B, H, W, C] batch (the wasm backend does: src/accel/wasm/perImageStandardize.ts).
 * Without one, the layer composes tfjs ops. Either way no gradient flows to the model input.
 */
export const PER_IMAGE_STANDARDIZE = 'HpaPerImageStandardize';

export class InputNormalization extends tf.layers.Layer {
  static className = 'HpaInputNormalization';
  readonly mode: NormalisationMode;

  constructor(args: InputNormalizationArgs) {
    super({ name: args.name });
    if (args.mode !== 'per-image' && args.mode !== 'div255') throw new Error(`InputNormalization: unknown mode '${String(args.mode)}'`);
    this.mode = args.mode;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(Array.isArray(inputs) ? inputs[0] : inputs, 'float32');
      if (this.mode === 'div255') return tf.div(x, 255);
      if (x.rank === 4 && tf.getKernel(PER_IMAGE_STANDARDIZE, tf.getBackend())) return tf.engine().runKernel(PER_IMAGE_STANDARDIZE, { x }) as tf.Tensor;
      const { mean, variance } = tf.moments(x, [1, 2], true);
      return tf.div(tf.sub(x, mean), tf.add(tf.sqrt(variance), PER_IMAGE_EPSILON));
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(InputNormalization);
