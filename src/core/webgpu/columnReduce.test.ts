/**
 * The column reduction's plan, its axis test and its self-check, in Node on the cpu backend (the
 * WGSL itself runs in the e2e webgpu test, where the check must pass, and in the GPU kit): tfjs's
 * cpu Sum and Mean pass against double-precision sums; a wrong Sum is caught with the case named.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnReducePlan, isLeadingAxes, verifyColumnReduce } from './columnReduce';

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
});

describe('isLeadingAxes', () => {
  it('accepts every axis but the last, in any order or sign, and nothing else', () => {
    expect(isLeadingAxes([0, 1, 2], [2, 3, 4, 5])).toBe(true);
    expect(isLeadingAxes([2, 0, -3], [2, 3, 4, 5])).toBe(true);
    expect(isLeadingAxes(0, [7, 5])).toBe(true);
    expect(isLeadingAxes([1, 2], [2, 3, 4, 5])).toBe(false); // a global average pool's axes
    expect(isLeadingAxes([0, 1, 2, 3], [2, 3, 4, 5])).toBe(false);
    expect(isLeadingAxes(-1, [7, 5])).toBe(false);
    expect(isLeadingAxes(0, [7])).toBe(false);
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
    expect(await verifyColumnReduce()).toMatch(/^self-check failed on cpu \(sum of \[3,7,5,32\], column 0: -?[\d.e+-]+ vs -?[\d.e+-]+\)$/);
  });
});
