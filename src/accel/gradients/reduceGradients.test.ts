/**
 * The Mean and Sum gradients (reduceGradients.ts) against tfjs's own, in Node on the cpu backend
 * with the broadcast path switched on for it (as on webgpu and webgl): the same values bit for bit
 * over the axes GAPNet uses and the awkward ones, and without a full-size multiply (tfjs's gradient
 * multiplies dy by a host-built tensor of ones). Off the GPU backends tfjs's own gradient runs.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_BACKENDS, hasReduceGradients, installReduceGradients, meanGradConfig, restoreReduceGradients, sumGradConfig } from './reduceGradients';

beforeAll(async () => {
  await tf.setBackend('cpu');
  BROADCAST_BACKENDS.add('cpu');
});
afterAll(() => {
  BROADCAST_BACKENDS.delete('cpu');
  restoreReduceGradients();
});

const x = () =>
  tf.tensor4d(
    Float32Array.from({ length: 2 * 3 * 5 * 4 }, (_, i) => Math.sin(i * 0.7) * 3),
    [2, 3, 5, 4],
  );
const dyFor = (shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 1 / (i + 3) - 0.2),
    shape,
  );
const cases: Array<{ axis: number | number[]; keepDims: boolean }> = [
  { axis: [1, 2], keepDims: false }, // global average pooling
  { axis: [0, 1, 2], keepDims: false }, // BatchNorm's moments
  { axis: -1, keepDims: true },
  { axis: [0, 1, 2, 3], keepDims: false },
  { axis: 2, keepDims: false },
];

/** d/dx of Σ dy·op(x) for each case, with the gradients in place now. */
async function grads(op: 'mean' | 'sum'): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const c of cases) {
    const t = x();
    const f = (v: tf.Tensor) => (op === 'mean' ? tf.mean(v, c.axis, c.keepDims) : tf.sum(v, c.axis, c.keepDims));
    const dy = dyFor(f(t).shape);
    const g = tf.grad(f)(t, dy);
    out.push((await g.data()) as Float32Array);
    tf.dispose([t, dy, g]);
  }
  return out;
}

describe('Mean and Sum gradients', () => {
  it("match tfjs's own bit for bit", async () => {
    restoreReduceGradients();
    expect(hasReduceGradients()).toBe(false);
    const tfjsMean = await grads('mean');
    const tfjsSum = await grads('sum');
    installReduceGradients();
    expect(hasReduceGradients()).toBe(true);
    expect(tf.getGradient(tf.Mean)).toBe(meanGradConfig);
    expect(tf.getGradient(tf.Sum)).toBe(sumGradConfig);
    const ourMean = await grads('mean');
    const ourSum = await grads('sum');
    for (let i = 0; i < cases.length; i++) {
      expect(Array.from(ourMean[i])).toEqual(Array.from(tfjsMean[i]));
      expect(Array.from(ourSum[i])).toEqual(Array.from(tfjsSum[i]));
    }
    // and they are not trivially equal: the mean over [1, 2] spreads dy/15 over 15 positions
    expect(ourMean[0][0]).toBeCloseTo((1 / 3 - 0.2) / 15, 7);
  });

  it('broadcast dy with one Tile instead of multiplying by a full-size tensor of ones', async () => {
    installReduceGradients();
    const t = x();
    const info = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.mean(v, [1, 2]))(t));
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain('Tile');
    expect(names).not.toContain('Multiply');
    restoreReduceGradients();
    const before = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.mean(v, [1, 2]))(t));
    expect(before.kernels.map((k) => k.name)).toContain('Multiply');
    t.dispose();
  });

  it("runs tfjs's own gradient on a backend outside BROADCAST_BACKENDS (cpu and wasm)", async () => {
    installReduceGradients();
    BROADCAST_BACKENDS.delete('cpu');
    try {
      const t = x();
      const info = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.mean(v, [1, 2]))(t));
      expect(info.kernels.map((k) => k.name)).toContain('Multiply');
      expect(info.kernels.map((k) => k.name)).not.toContain('Tile');
      t.dispose();
    } finally {
      BROADCAST_BACKENDS.add('cpu');
    }
  });

  it('installs idempotently and restores tfjs’s gradients', () => {
    restoreReduceGradients();
    const tfjsMean = tf.getGradient(tf.Mean);
    installReduceGradients();
    installReduceGradients();
    restoreReduceGradients();
    expect(tf.getGradient(tf.Mean)).toBe(tfjsMean);
  });
});
