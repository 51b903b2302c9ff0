/** Keeps some channels of the input, in the given order (the transfer models' 'rgb' option drops yellow). */
import * as tf from '@tensorflow/tfjs';

export class ChannelSelect extends tf.layers.Layer {
  static className = 'HpaChannelSelect';
  readonly channels: number[];

  constructor(args: { channels: number[]; name?: string }) {
    super({ name: args.name });
    if (!args.channels?.length || !args.channels.every((c) => Number.isInteger(c) && c >= 0)) throw new Error('ChannelSelect: channels must be indices ≥ 0');
    this.channels = [...args.channels];
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.channels.length];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.gather(x, this.channels, x.rank - 1);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels };
  }
}
tf.serialization.registerClass(ChannelSelect);
