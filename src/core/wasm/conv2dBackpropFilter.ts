/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none): the filter gradient as
 * im2col + one plain matrix multiply, dW[(cin, tap), cout] = Σ_n patchesᵀ[(cin, tap), n] · dy[n, cout],
 * with the patches from a one-hot depthwise convolution (convTaps.ts), transposed as a 4-D tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { patches } from './convTaps';

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
    const [kH, kW, cIn, cOut] = a.filterShape;
    const cols = patches(x, kH, kW, a.strides, a.pad, 1, a.dimRoundingMode); // [B, oh, ow, cIn·kH·kW]
    const [B, oh, ow] = cols.shape;
    const n = B * oh * ow;
    const colsT = tf.reshape(tf.transpose(cols, [3, 0, 1, 2]), [cIn * kH * kW, n]);
    const dw = tf.matMul(colsT, tf.reshape(dy, [n, cOut])); // [(cIn, kh, kw), cOut]
    return tf.transpose(tf.reshape(dw, [cIn, kH, kW, cOut]), [1, 2, 0, 3]) as tf.Tensor4D;
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
