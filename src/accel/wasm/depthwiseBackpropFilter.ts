/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (tfjs 4.22 has none):
 * dW[tap, c, m] = Σ_n patches[n, c, tap] · dy[n, c·M + m], with the patches from a one-hot
 * depthwise convolution (convTaps.ts), one broadcast multiply, and the sum over n as a plain
 * matMul with a row of ones (wasm's Sum transposes first when the axis is not innermost).
 */
import * as tf from '@tensorflow/tfjs';
import { assertNoDilation, patches } from './convTaps';

interface Attrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, a: Attrs): tf.Tensor4D {
  assertNoDilation(a.dilations);
  return tf.tidy(() => {
    const [kH, kW, C, M] = a.filterShape;
    const K = kH * kW;
    const cols = patches(x, kH, kW, a.strides, a.pad, 1, a.dimRoundingMode); // [B, oh, ow, C·K]
    const [B, oh, ow] = cols.shape;
    const n = B * oh * ow;
    const prod = tf.mul(tf.reshape(cols, [n, C, 1, K]), tf.reshape(dy, [n, C, M, 1])); // [n, C, M, K]
    const sum = tf.matMul(tf.ones([1, n]), tf.reshape(prod, [n, C * M * K])); // [1, (c, m, tap)]
    return tf.transpose(tf.reshape(sum, [C, M, kH, kW]), [2, 3, 0, 1]) as tf.Tensor4D;
  });
}

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    return depthwiseBackpropFilter(x, dy, attrs as unknown as Attrs);
  },
};
