/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none): the filter gradient as
 * im2col + one matrix multiply, dW[(tap, cin), cout] = Σ_n cols[(tap, cin), n] · dy[n, cout],
 * built from pad / reshape / 4-D transpose / contiguous slices / concat and a plain matMul.
 */
import * as tf from '@tensorflow/tfjs';
import { dyOnGrid, geometryOf, tapMatrix } from './convTaps';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter(xIn: tf.Tensor4D, dyIn: tf.Tensor4D, a: Attrs): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw = a.dataFormat === 'NCHW';
    const x = nchw ? (tf.transpose(xIn, [0, 2, 3, 1]) as tf.Tensor4D) : xIn;
    const dy = nchw ? (tf.transpose(dyIn, [0, 2, 3, 1]) as tf.Tensor4D) : dyIn;
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const g = geometryOf(info);
    const [kH, kW, cIn, cOut] = a.filterShape;
    const m = tapMatrix(x, g);
    const d = dyOnGrid(dy, g, m);
    return tf.reshape(tf.matMul(m.cols, d), [kH, kW, cIn, cOut]) as tf.Tensor4D;
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    return conv2dBackpropFilter(x, dy, attrs as unknown as Attrs);
  },
};
