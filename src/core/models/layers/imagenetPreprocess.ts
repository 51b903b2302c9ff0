/**
 * ImageNet preprocessing inside the model (Keras's imagenet_utils.preprocess_input), so a saved
 * transfer model takes raw 0..255 RGB(Y) like every studio model:
 *  - 'caffe' (VGG16, ResNet50): RGB → BGR, minus the ImageNet means (103.939, 116.779, 123.68),
 *    no scaling. A fourth (yellow) channel stays last and has red's mean subtracted.
 *  - 'tf' (InceptionV3, MobileNetV2): x / 127.5 − 1 on every channel.
 */
import * as tf from '@tensorflow/tfjs';
import { CAFFE_BGR_MEANS, type ImagenetPreprocessing } from '../backbones/blocks';

export class ImagenetPreprocess extends tf.layers.Layer {
  static className = 'HpaImagenetPreprocess';
  readonly mode: ImagenetPreprocessing;

  constructor(args: { mode: ImagenetPreprocessing; name?: string }) {
    super({ name: args.name });
    if (args.mode !== 'caffe' && args.mode !== 'tf') throw new Error(`ImagenetPreprocess: unknown mode '${String(args.mode)}'`);
    this.mode = args.mode;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(Array.isArray(inputs) ? inputs[0] : inputs, 'float32');
      if (this.mode === 'tf') return tf.sub(tf.div(x, 127.5), 1);
      const c = x.shape[x.rank - 1] as number;
      if (c !== 3 && c !== 4) throw new Error(`ImagenetPreprocess 'caffe' takes 3 (RGB) or 4 (RGBY) channels, got ${c}`);
      const order = c === 3 ? [2, 1, 0] : [2, 1, 0, 3];
      const means = c === 3 ? [...CAFFE_BGR_MEANS] : [...CAFFE_BGR_MEANS, CAFFE_BGR_MEANS[2]];
      return tf.sub(tf.gather(x, order, x.rank - 1), tf.tensor1d(means));
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(ImagenetPreprocess);
