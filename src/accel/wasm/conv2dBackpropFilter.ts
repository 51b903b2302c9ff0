/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none): the filter gradient as
 * im2col + one plain matrix multiply (XNNPACK), dW[(kh, kw, cin), cout] = Σ_n cols[(kh, kw, cin), n] · dy[n, cout],
 * with cols built straight in that transposed layout from the channel-major input (im2col.ts),
 * so the product is the filter [kh, kw, cin, cout] without a transpose.
 */
import * as tf from '@tensorflow/tfjs';
import { geometryOf } from './convTaps';
import { im2colTransposed } from './im2col';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter(x: tf.Tensor4D, dyIn: tf.Tensor4D, a: Attrs): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw = a.dataFormat === 'NCHW';
    const [kH, kW, cIn, cOut] = a.filterShape;
    const s = x.shape;
    const nhwcShape: [number, number, number, number] = nchw ? [s[0], s[2], s[3], s[1]] : s;
    const info = tf.backend_util.computeConv2DInfo(nhwcShape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const xT = tf.transpose(x, nchw ? [1, 0, 2, 3] : [3, 0, 1, 2]) as tf.Tensor4D; // [C, B, H, W]
    const dy = nchw ? (tf.transpose(dyIn, [0, 2, 3, 1]) as tf.Tensor4D) : dyIn;
    const cols = im2colTransposed(xT, geometryOf(info)); // [kH·kW·cIn, n]
    const dw = tf.matMul(cols, tf.reshape(dy, [cols.shape[1], cOut]) as tf.Tensor2D);
    return tf.reshape(dw, [kH, kW, cIn, cOut]) as tf.Tensor4D;
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
