/**
 * The column reduction's plan, its axis test and its self-check, in Node on the cpu backend (the
 * WGSL itself runs in the e2e webgpu test, where the check must pass, and in the GPU kit): tfjs's
 * cpu Sum and Mean pass against double-precision sums; a wrong Sum is caught with the case named.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnReducePlan, reduceLayout, verifyColumnReduce } from './columnReduce';

let cpuSum: tf.KernelConfig | undefined;
beforeAll(async () => {
  await tf.setBackend('cpu');
  cpuSum = tf.getKernel('Sum', 'cpu');
});
afterAll(() => {
  if (tf.getKernel('Sum', 'cpu') !== cpuSum) {
    tf.unregisterKernel('Sum', 'cpu');
    if (cpuSum) tf.registerKernel(cpuSum);
  }
});

describe('columnReducePlan', () => {
  it('covers every column in blocks of at most 256 and every row once: one pass up to 4,096 rows, else ~1,024 chunks of at least 256 rows', () => {
    for (const [rows, cols] of [
      [32 * 128 * 128, 32], // GAPNet-PL conv1's bias gradient at 256 px, batch 32
      [32 * 8 * 8, 128],
      [32, 256],
      [9, 300],
      [4097, 5],
      [1, 1],
    ]) {
      const p = columnReducePlan(rows, cols);
      expect(p.colBlock).toBeLessThanOrEqual(256);
      expect(p.colBlock * p.colBlocks).toBeGreaterThanOrEqual(cols);
      expect((p.colBlocks - 1) * p.colBlock).toBeLessThan(cols);
      expect(p.chunks * p.chunkRows).toBeGreaterThanOrEqual(rows);
      expect((p.chunks - 1) * p.chunkRows).toBeLessThan(rows);
      if (rows <= 4096) expect(p.chunks).toBe(1);
      else expect(p.chunkRows).toBeGreaterThanOrEqual(256);
    }
    const conv1 = columnReducePlan(32 * 128 * 128, 32);
    expect(conv1.chunks).toBeGreaterThanOrEqual(1000);
    expect(conv1.chunks).toBeLessThanOrEqual(1024);
  });
  it('aims at ~1,024 workgroups over all images of a pool: fewer chunks per image as images grow', () => {
    const pool1 = columnReducePlan(64 * 64, 32, 32); // GAPNet-PL's first pool at 256 px, batch 32: one pass
    expect(pool1.chunks).toBe(1);
    const big = columnReducePlan(128 * 128, 32, 32);
    expect(big.chunks).toBe(32);
    expect(big.chunks * big.chunkRows).toBeGreaterThanOrEqual(128 * 128);
    expect(columnReducePlan(128 * 128, 32, 1024).chunks).toBe(1);
  });
});

describe('reduceLayout', () => {
  it('takes every axis but the last, in any order or sign, as one [rows, cols] block', () => {
    expect(reduceLayout([0, 1, 2], [2, 3, 4, 5])).toEqual({ batches: 1, rows: 24, cols: 5, kept: [] });
    expect(reduceLayout([2, 0, -3], [2, 3, 4, 5])).toEqual({ batches: 1, rows: 24, cols: 5, kept: [] });
    expect(reduceLayout(0, [7, 5])).toEqual({ batches: 1, rows: 7, cols: 5, kept: [] });
  });
  it("takes a global average pool's axes (all but the first and the last) as one block per image", () => {
    expect(reduceLayout([1, 2], [32, 64, 64, 32])).toEqual({ batches: 32, rows: 4096, cols: 32, kept: [0] });
    expect(reduceLayout([-2, 1], [2, 3, 4, 5])).toEqual({ batches: 2, rows: 12, cols: 5, kept: [0] });
    expect(reduceLayout(1, [2, 9, 300])).toEqual({ batches: 2, rows: 9, cols: 300, kept: [0] });
  });
  it('leaves every other reduction to tfjs', () => {
    expect(reduceLayout([0, 1, 2, 3], [2, 3, 4, 5])).toBeNull();
    expect(reduceLayout(-1, [7, 5])).toBeNull();
    expect(reduceLayout(0, [7])).toBeNull();
    expect(reduceLayout([1], [2, 3, 4, 5])).toBeNull();
    expect(reduceLayout([0, 2], [2, 3, 4, 5])).toBeNull();
    expect(reduceLayout(1, [7, 5])).toBeNull();
    expect(reduceLayout(undefined, [7, 5])).toBeNull();
  });
});

describe('verifyColumnReduce', () => {
  it("passes tfjs's cpu Sum and Mean", async () => {
    expect(await verifyColumnReduce()).toBeNull();
  });

  it('catches a wrong Sum and names the case and the column', async () => {
    const own = tf.getKernel('Sum', 'cpu')!;
    tf.unregisterKernel('Sum', 'cpu');
    // the classic slip of a chunked reduction: the last partial chunk dropped (here: the last row)
    tf.registerKernel({
      ...own,
      kernelFunc: (args) => {
        const x = args.inputs.x as tf.TensorInfo;
        const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
        const trimmed = tf.tidy(() => tf.slice(tf.reshape(tf.engine().makeTensorFromTensorInfo(x), [rows, -1]), 0, rows - 1).reshape([rows - 1, 1, -1]));
        const out = own.kernelFunc({ ...args, inputs: { x: trimmed }, attrs: { ...args.attrs, axis: [0, 1] } });
        trimmed.dispose();
        return out;
      },
    });
    try {
      expect(await verifyColumnReduce()).toMatch(
        /^self-check failed on cpu \(sum of \[3,7,5,32\] over axes \[0,1,2\], column 0: -?[\d.e+-]+ vs -?[\d.e+-]+\)$/,
      );
    } finally {
      tf.unregisterKernel('Sum', 'cpu');
      tf.registerKernel(own);
    }
  });

  it("catches a pool's Mean that reads the first image for every image, and names the image", async () => {
    const own = tf.getKernel('Mean', 'cpu')!;
    tf.unregisterKernel('Mean', 'cpu');
    // the slip a batched reduction invites: the image's offset left out
    tf.registerKernel({
      ...own,
      kernelFunc: (args) => {
        const x = args.inputs.x as tf.TensorInfo;
        const axes = tf.util.parseAxisParam((args.attrs as { axis: number[] }).axis, x.shape);
        if (axes.length !== x.shape.length - 2) return own.kernelFunc(args);
        const first = tf.tidy(() => tf.tile(tf.slice(tf.engine().makeTensorFromTensorInfo(x), 0, 1), [x.shape[0], ...x.shape.slice(1).map(() => 1)]));
        const out = own.kernelFunc({ ...args, inputs: { x: first } });
        first.dispose();
        return out;
      },
    });
    try {
      expect(await verifyColumnReduce()).toMatch(
        /^self-check failed on cpu \(mean of \[3,7,5,32\] over axes \[1,2\], image 1, column 0: -?[\d.e+-]+ vs -?[\d.e+-]+\)$/,
      );
    } finally {
      tf.unregisterKernel('Mean', 'cpu');
      tf.registerKernel(own);
    }
  });
});
