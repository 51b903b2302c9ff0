/**
 * A Conv2D for a convolution whose input never needs a gradient (the first convolution after the
 * input normalisation). tfjs-layers runs every Conv2D as tf.fused.conv2d, whose gradient computes
 * the input gradient and the filter gradient together, used or not; for GapNet-PL's conv1 the
 * unused one is the costliest convolution of the step (dx of [16, 130, 130, 4] at 128 px: ~10 ms
 * on wasm, more than conv1's forward pass). This layer convolves, adds the bias and activates as
 * separate ops, whose gradients tfjs computes only for inputs that lead back to a variable.
 *
 * Same weights, config and serialised form as tf.layers.conv2d: its class name is 'Conv2D', so a
 * saved model loads as a plain Conv2D anywhere.
 */
import * as tf from '@tensorflow/tfjs';

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
/** tfjs-layers' Conv2D class (not exported by name from @tensorflow/tfjs). */
const Conv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as new (args: Conv2DArgs) => tf.layers.Layer;

/** The fields of tfjs-layers' Conv2D this layer reads. */
interface ConvFields {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: [number, number];
  padding: 'valid' | 'same' | 'causal';
  dilationRate: [number, number];
  dataFormat: 'channelsLast' | 'channelsFirst';
  activation: { apply(t: tf.Tensor): tf.Tensor } | null;
}

export class InputConv2D extends Conv2D {
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const f = this as unknown as ConvFields;
      if (f.dataFormat !== 'channelsLast' || f.padding === 'causal')
        throw new Error(`InputConv2D '${this.name}': only channelsLast with 'same' or 'valid' padding`);
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(x, f.kernel.read() as tf.Tensor4D, f.strides, f.padding, 'NHWC', f.dilationRate);
      if (f.bias) y = tf.add(y, f.bias.read());
      return f.activation ? f.activation.apply(y) : y;
    });
  }
}

/** tf.layers.conv2d's signature, building an InputConv2D. */
export function inputConv2d(args: Conv2DArgs): tf.layers.Layer {
  return new InputConv2D(args);
}
