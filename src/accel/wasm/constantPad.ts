/**
 * Constant padding (PadV2) for the wasm backend, as contiguous block copies on the wasm heap.
 * tfjs-backend-wasm 4.22's PadV2 walks element by element: 3.5 ms to pad GapNet-PL's
 * [16, 128, 128, 4] input by one pixel (the ZeroPadding2D in front of conv1 and conv2), where
 * copying 2 048 rows of 512 floats takes a fraction of that. float32 only; other dtypes go to
 * tfjs's own kernel, kept as `fallback`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Writes x (shape `shape`) padded by `paddings` with `value` into `out`. */
export function padValues(
  x: Float32Array,
  shape: readonly number[],
  paddings: readonly (readonly [number, number])[],
  value: number,
  out: Float32Array,
): Float32Array {
  const rank = shape.length;
  const outShape = shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  out.fill(value);
  if (x.length === 0) return out;
  // the innermost dims without padding form one block, contiguous in x and in out alike
  let last = rank - 1; // the innermost padded dim (or 0)
  while (last > 0 && paddings[last][0] === 0 && paddings[last][1] === 0) last--;
  let inner = 1;
  for (let d = last + 1; d < rank; d++) inner *= shape[d];
  const run = shape[last] * inner; // one copy: a whole x row along `last`
  const outStrides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) outStrides[d] = outStrides[d + 1] * outShape[d + 1];
  const idx = new Array<number>(last).fill(0); // odometer over dims 0 … last−1
  const rowsTotal = x.length / run;
  for (let r = 0; r < rowsTotal; r++) {
    let dst = paddings[last][0] * outStrides[last];
    for (let d = 0; d < last; d++) dst += (idx[d] + paddings[d][0]) * outStrides[d];
    out.set(x.subarray(r * run, (r + 1) * run), dst);
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function constantPadConfig(fallback: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.PadV2,
    backendName: 'wasm',
    setupFunc: fallback.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x } = inputs as unknown as { x: tf.TensorInfo };
      const { paddings, constantValue } = attrs as unknown as { paddings: [number, number][]; constantValue: number };
      if (x.dtype !== 'float32') return fallback.kernelFunc(args);
      const be = backend as unknown as BackendWasm;
      const out = be.makeOutput(
        x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]),
        'float32',
      ); // may grow the heap: views after it
      padValues(be.typedArrayFromHeap(x) as Float32Array, x.shape, paddings, constantValue, be.typedArrayFromHeap(out) as Float32Array);
      return out;
    },
  };
}
