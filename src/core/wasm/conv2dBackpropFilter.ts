/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none): the filter gradient as
 * im2col + one plain matrix multiply, dWᵀ[cout, (cin, tap)] = Σ_n dyᵀ[cout, n] · patches[n, (cin, tap)],
 * with the patches from a one-hot depthwise convolution (convTaps.ts) and dyᵀ from a 4-D transpose.
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
    const dyT = tf.reshape(tf.transpose(dy, [3, 0, 1, 2]), [cOut, n]);
    const dwT = tf.matMul(dyT, tf.reshape(cols, [n, cIn * kH * kW])); // [cOut, (cIn, kh, kw)]
    return tf.transpose(tf.reshape(dwT, [cOut, cIn, kH, kW]), [2, 3, 1, 0]) as tf.Tensor4D;
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
