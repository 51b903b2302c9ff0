/**
 * The stride-1 input gradient as a forward convolution, in Node on the cpu backend: the pads it
 * takes, and the identity it rests on (dx = dy convolved with the filter turned 180° and its
 * channels swapped, at those pads) against tfjs's Conv2DBackpropInput. The WGSL filter turn runs on
 * webgpu, where the backend-start check compares the whole path with tfjs's kernel (e2e, GPU kit).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputGradAsConvPads } from './convInputGradAsConv';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NHWC = { dataFormat: 'NHWC' as const };

describe('inputGradAsConvPads', () => {
  it("pads k − 1 − p on each side: 1 for a 3×3 'same', 2 for a 3×3 'valid', 0 and 1 for a 1×3 'same'", () => {
    expect(inputGradAsConvPads([2, 9, 9, 8], [3, 3, 8, 16], { ...NHWC, strides: 1, pad: 'same' })).toEqual([1, 1, 1, 1]);
    expect(inputGradAsConvPads([2, 9, 8, 8], [3, 3, 8, 16], { ...NHWC, strides: 1, pad: 'valid' })).toEqual([2, 2, 2, 2]);
    expect(inputGradAsConvPads([2, 5, 8, 4], [1, 3, 4, 8], { ...NHWC, strides: 1, pad: 'same' })).toEqual([0, 0, 1, 1]);
    expect(inputGradAsConvPads([2, 6, 6, 4], [4, 4, 4, 8], { ...NHWC, strides: 1, pad: 'same' })).toEqual([2, 1, 2, 1]); // 'same' pads 1 before, 2 after
  });
  it('leaves strided convolutions, NCHW and pads wider than the filter to tfjs', () => {
    expect(inputGradAsConvPads([2, 8, 8, 32], [3, 3, 32, 64], { ...NHWC, strides: 2, pad: 'valid' })).toBeNull();
    expect(inputGradAsConvPads([2, 8, 8, 32], [3, 3, 32, 64], { ...NHWC, strides: [1, 2], pad: 'same' })).toBeNull();
    expect(inputGradAsConvPads([2, 8, 8, 32], [3, 3, 32, 64], { dataFormat: 'NCHW', strides: 1, pad: 'same' })).toBeNull();
    expect(inputGradAsConvPads([2, 8, 8, 4], [3, 3, 4, 4], { ...NHWC, strides: 1, pad: [[0, 0], [3, 3], [0, 0], [0, 0]] })).toBeNull();
  });
});

describe('the identity: dx as a forward convolution', () => {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 9, 9, 8], f: [3, 3, 8, 16], pad: 'same' },
    { x: [2, 7, 6, 5], f: [3, 3, 5, 7], pad: 'valid' },
    { x: [2, 5, 8, 4], f: [1, 3, 4, 8], pad: 'same' },
    { x: [1, 6, 6, 3], f: [4, 4, 3, 2], pad: 'same' },
  ];
  for (const c of cases) {
    it(`matches Conv2DBackpropInput for x [${c.x}], filter [${c.f}], ${c.pad}`, async () => {
      const [want, got] = tf.tidy(() => {
        const { outShape } = tf.backend_util.computeConv2DInfo(c.x, c.f, 1, 1, c.pad);
        const dy = tf.randomUniform(outShape, -1, 1, 'float32', 5) as tf.Tensor4D;
        const w = tf.randomUniform(c.f, -1, 1, 'float32', 6) as tf.Tensor4D;
        const [t, b, l, r] = inputGradAsConvPads(c.x, c.f, { ...NHWC, strides: 1, pad: c.pad })!;
        const turned = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // what HpaConvFilterFlip writes
        return [tf.conv2dTranspose(dy, w, c.x, 1, c.pad), tf.conv2d(dy, turned, 1, [[0, 0], [t, b], [l, r], [0, 0]])];
      });
      expect(got.shape).toEqual(c.x);
      const [a, b] = [await want.data(), await got.data()];
      let worst = 0;
      a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([want, got]);
    });
  }
});
