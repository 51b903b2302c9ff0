/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (tfjs 4.22 has none): per stride
 * phase, a stride-1 depthwise convolution of dy with the flipped sub-filter of the taps that
 * reach it (the wasm backend's fast XNNPACK depthwise kernel), phases interleaved by reshapes.
 * A channel multiplier M > 1 runs as a depthwise convolution over C·M channels summed over M.
 */
import * as tf from '@tensorflow/tfjs';
import { assertNoDilation, geometryOf, interleavePhases, phasePlan, phaseWindow } from './convTaps';

interface Attrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, a: Attrs): tf.Tensor4D {
  assertNoDilation(a.dilations);
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
    const g = geometryOf(info);
    const [B, H, W, C] = a.inputShape;
    const M = filter.shape[3];
    const phases: tf.Tensor4D[][] = [];
    for (let rh = 0; rh < g.strideH; rh++) {
      const row: tf.Tensor4D[] = [];
      const ph = phasePlan(rh, H, g.kH, g.strideH, g.dilationH, g.padTop);
      for (let rw = 0; rw < g.strideW; rw++) {
        const pw = phasePlan(rw, W, g.kW, g.strideW, g.dilationW, g.padLeft);
        const win = ph.taps.length && pw.taps.length ? phaseWindow(dy, ph, pw) : null;
        if (!win) {
          row.push(tf.zeros([B, ph.count, pw.count, C]));
          continue;
        }
        const sub = tf.gather(tf.gather(filter, ph.taps, 0), pw.taps, 1);
        const pad: tf.backend_util.ExplicitPadding = [[0, 0], win.pad[0], win.pad[1], [0, 0]];
        const f = tf.reshape(sub, [ph.taps.length, pw.taps.length, C * M, 1]) as tf.Tensor4D;
        let out = tf.depthwiseConv2d(win.dy, f, 1, pad, 'NHWC', [ph.step, pw.step]);
        if (M > 1) {
          const [b, h, w] = out.shape;
          out = tf.sum(tf.reshape(out, [b, h, w, C, M]), 4) as tf.Tensor4D;
        }
        row.push(out);
      }
      phases.push(row);
    }
    return interleavePhases(phases, H, W);
  });
}

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    return depthwiseBackpropInput(dy, filter, attrs as unknown as Attrs);
  },
};
