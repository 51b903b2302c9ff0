/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (tfjs 4.22 has none):
 * dW[tap, c, m] = Σ_n cols[(tap, c), n] · dy[c·M + m, n], from the same transposed im2col as the
 * Conv2D filter gradient, then one broadcast multiply and one innermost-axis sum.
 */
import * as tf from '@tensorflow/tfjs';
import { assertNoDilation, dyOnGridByChannel, geometryOf, tapMatrix } from './convTaps';

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
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
    const g = geometryOf(info);
    const [kH, kW, C, M] = a.filterShape;
    const m = tapMatrix(x, g);
    const d = dyOnGridByChannel(dy, g, m); // [C·M, L]
    const cols = tf.reshape(m.cols, [kH * kW, C, 1, m.length]);
    const prod = tf.mul(cols, tf.reshape(d, [1, C, M, m.length]));
    return tf.reshape(tf.sum(prod, 3), [kH, kW, C, M]) as tf.Tensor4D;
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
