/**
 * The conv input gradient as forward convolutions, in Node on the cpu backend: the phases and pads
 * it takes, and the identity it rests on — each phase of dx is dy convolved with that phase's taps
 * turned 180° and their channels swapped, at those pads — against tfjs's Conv2DBackpropInput, for
 * strides 1 and 2. The WGSL (filter turn, interleave) runs on webgpu, where the backend-start
 * check compares the whole path with tfjs's kernel (e2e, GPU kit).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputGradPhases, type InputGradPhase } from './convInputGradAsConv';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NHWC = { dataFormat: 'NHWC' as const };
const pick = (ps: InputGradPhase[] | null) => ps?.map((p) => ({ taps: [p.cy, p.my, p.cx, p.mx], pads: p.pads, size: [p.rows, p.cols] }));

describe('inputGradPhases', () => {
  it("stride 1: one phase, the whole filter, pads k − 1 − p (1 for a 3×3 'same', 2 for 'valid', 0 and 1 for a 1×3 'same')", () => {
    expect(pick(inputGradPhases([2, 9, 9, 8], [3, 3, 8, 16], { ...NHWC, strides: 1, pad: 'same' }))).toEqual([
      { taps: [0, 3, 0, 3], pads: [1, 1, 1, 1], size: [9, 9] },
    ]);
    expect(pick(inputGradPhases([2, 9, 8, 8], [3, 3, 8, 16], { ...NHWC, strides: 1, pad: 'valid' }))).toEqual([
      { taps: [0, 3, 0, 3], pads: [2, 2, 2, 2], size: [9, 8] },
    ]);
    expect(pick(inputGradPhases([2, 5, 8, 4], [1, 3, 4, 8], { ...NHWC, strides: 1, pad: 'same' }))).toEqual([
      { taps: [0, 1, 0, 3], pads: [0, 0, 1, 1], size: [5, 8] },
    ]);
  });
  it("stride 2, GAPNet's conv2 (3×3 'valid' on 66 px): even rows take taps 0 and 2, odd rows tap 1; 33 of each", () => {
    expect(pick(inputGradPhases([32, 66, 66, 32], [3, 3, 32, 64], { ...NHWC, strides: 2, pad: 'valid' }))).toEqual([
      { taps: [0, 2, 0, 2], pads: [1, 1, 1, 1], size: [33, 33] },
      { taps: [0, 2, 1, 1], pads: [1, 1, 0, 1], size: [33, 33] },
      { taps: [1, 1, 0, 2], pads: [0, 1, 1, 1], size: [33, 33] },
      { taps: [1, 1, 1, 1], pads: [0, 1, 0, 1], size: [33, 33] },
    ]);
  });
  it('leaves other strides, NCHW and a phase without taps to tfjs', () => {
    expect(inputGradPhases([2, 9, 9, 8], [3, 3, 8, 8], { ...NHWC, strides: 3, pad: 'valid' })).toBeNull();
    expect(inputGradPhases([2, 8, 8, 32], [3, 3, 32, 64], { ...NHWC, strides: [1, 2], pad: 'same' })).toBeNull();
    expect(inputGradPhases([2, 8, 8, 32], [3, 3, 32, 64], { dataFormat: 'NCHW', strides: 1, pad: 'same' })).toBeNull();
    expect(inputGradPhases([2, 8, 8, 4], [1, 1, 4, 4], { ...NHWC, strides: 2, pad: 'valid' })).toBeNull(); // odd rows get no tap
    expect(
      inputGradPhases([2, 8, 8, 4], [3, 3, 4, 4], {
        ...NHWC,
        strides: 1,
        pad: [
          [0, 0],
          [3, 3],
          [0, 0],
          [0, 0],
        ],
      }),
    ).toBeNull();
  });
});

/** dx from the phases with tfjs ops: what HpaConvFilterFlip, the convolutions and HpaConvPhaseInterleave do on webgpu. */
function dxFromPhases(dy: tf.Tensor4D, w: tf.Tensor4D, phases: InputGradPhase[], x: number[], s: number): tf.Tensor4D {
  const quarters = phases.map((p) => {
    const rows = Array.from({ length: p.my }, (_, m) => s * m + p.cy);
    const cols = Array.from({ length: p.mx }, (_, n) => s * n + p.cx);
    const taps = tf.gather(tf.gather(w, rows, 0), cols, 1);
    const turned = tf.transpose(tf.reverse(taps, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const [t, b, l, r] = p.pads;
    return tf.conv2d(dy, turned, 1, [
      [0, 0],
      [t, b],
      [l, r],
      [0, 0],
    ]);
  });
  if (s === 1) return quarters[0];
  const dx = tf.buffer(x);
  const qs = quarters.map((q) => q.arraySync());
  for (let n = 0; n < x[0]; n++)
    for (let y = 0; y < x[1]; y++)
      for (let xx = 0; xx < x[2]; xx++) for (let c = 0; c < x[3]; c++) dx.set(qs[(y % 2) * 2 + (xx % 2)][n][y >> 1][xx >> 1][c], n, y, xx, c);
  return dx.toTensor() as tf.Tensor4D;
}

describe('the identity: dx as forward convolutions of its phases', () => {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: 'same' | 'valid' }> = [
    { x: [2, 9, 9, 8], f: [3, 3, 8, 16], s: 1, pad: 'same' },
    { x: [2, 7, 6, 5], f: [3, 3, 5, 7], s: 1, pad: 'valid' },
    { x: [1, 6, 6, 3], f: [4, 4, 3, 2], s: 1, pad: 'same' }, // even filter: 'same' pads 1 before, 2 after
    { x: [2, 10, 10, 3], f: [3, 3, 3, 5], s: 2, pad: 'valid' }, // GAPNet's conv2, small
    { x: [2, 9, 11, 5], f: [3, 3, 5, 4], s: 2, pad: 'same' },
    { x: [3, 8, 6, 2], f: [3, 3, 2, 7], s: 2, pad: 'same' },
    { x: [2, 10, 9, 4], f: [4, 4, 4, 3], s: 2, pad: 'valid' },
    { x: [1, 11, 11, 2], f: [5, 5, 2, 3], s: 2, pad: 'same' },
  ];
  for (const c of cases) {
    it(`matches Conv2DBackpropInput for x [${c.x}], filter [${c.f}], stride ${c.s}, ${c.pad}`, async () => {
      const phases = inputGradPhases(c.x, c.f, { ...NHWC, strides: c.s, pad: c.pad });
      expect(phases).not.toBeNull();
      expect(phases!.length).toBe(c.s * c.s);
      const { outShape } = tf.backend_util.computeConv2DInfo(c.x, c.f, c.s, 1, c.pad);
      const dy = tf.randomUniform(outShape, -1, 1, 'float32', 5) as tf.Tensor4D;
      const w = tf.randomUniform(c.f, -1, 1, 'float32', 6) as tf.Tensor4D;
      const want = tf.conv2dTranspose(dy, w, c.x, c.s, c.pad);
      const got = dxFromPhases(dy, w, phases!, c.x, c.s);
      expect(got.shape).toEqual(c.x);
      const [a, b] = [await want.data(), await got.data()];
      let worst = 0;
      a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([dy, w, want, got]);
    });
  }
});
