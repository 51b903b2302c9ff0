/**
 * The split conv filter gradient's chunking and its self-check, in Node on the cpu backend (the
 * WGSL itself runs in the e2e webgpu test, where the check must pass, and in the GPU kit): tfjs's
 * cpu kernel passes against the double-precision reference; a wrong kernel is caught with the case
 * and value named.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2dFilterGradReference, filterGradChunks, filterGradTiles, verifyConv2dFilterGrad } from './conv2dFilterGrad';

const KERNEL = 'Conv2DBackpropFilter';
let cpuKernel: tf.KernelConfig | undefined;

beforeAll(async () => {
  await tf.setBackend('cpu');
  cpuKernel = tf.getKernel(KERNEL, 'cpu');
});
afterAll(() => {
  if (tf.getKernel(KERNEL, 'cpu') !== cpuKernel) {
    tf.unregisterKernel(KERNEL, 'cpu');
    if (cpuKernel) tf.registerKernel(cpuKernel);
  }
});

describe('filterGradChunks', () => {
  it('covers every position once, in chunks of at least 32, with about 131 K threads', () => {
    // GAPNet-PL at 256 px, batch 32: conv1 (3·3·4·32 values over 32·128·128 positions) and conv3
    for (const [positions, filterSize] of [
      [32 * 128 * 128, 3 * 3 * 4 * 32],
      [32 * 32 * 32, 3 * 3 * 64 * 64],
      [40, 135],
      [1, 9],
    ]) {
      const { chunks, chunkLen } = filterGradChunks(positions, filterSize);
      expect(chunks * chunkLen).toBeGreaterThanOrEqual(positions);
      expect((chunks - 1) * chunkLen).toBeLessThan(positions);
      if (chunks > 1) expect(chunkLen).toBeGreaterThanOrEqual(32);
      expect(chunks * filterSize).toBeLessThanOrEqual(Math.max(filterSize, 1 << 24));
    }
    const conv1 = filterGradChunks(32 * 128 * 128, 1152);
    expect(conv1.chunks * 1152).toBeGreaterThanOrEqual(1 << 17);
    expect(conv1.chunks * 1152).toBeLessThan((1 << 17) + 1152);
    // tfjs's kernel runs 1,152 threads of 524,288 positions here; this one ~114 chunks of 4,600
    expect(conv1.chunkLen).toBe(Math.ceil((32 * 128 * 128) / conv1.chunks));
  });

  it('aims at the same thread count when each thread holds four output channels', () => {
    const one = filterGradChunks(32 * 128 * 128, 1152);
    const four = filterGradChunks(32 * 128 * 128, 1152, 4);
    expect(four.chunks).toBeGreaterThanOrEqual(4 * one.chunks - 4);
    expect((four.chunks * 1152) / 4).toBeGreaterThanOrEqual(1 << 17);
  });

  it('keeps the partials under 64 MB for a huge filter', () => {
    const { chunks } = filterGradChunks(1 << 22, 3 * 3 * 512 * 512);
    expect(chunks * 3 * 3 * 512 * 512).toBeLessThanOrEqual(1 << 24);
  });
});

describe('filterGradTiles', () => {
  it('covers every output with 32×32 blocks and every position once, in whole 32-position steps, with about 2,048 workgroups', () => {
    for (const [positions, filterK, outC] of [
      [32 * 128 * 128, 3 * 3 * 4, 32], // GAPNet-PL conv1 at 256 px, batch 32
      [32 * 32 * 32, 3 * 3 * 64, 64],
      [32 * 8 * 8, 3 * 3 * 128, 128],
      [40, 27, 6],
      [1, 9, 1],
    ]) {
      const t = filterGradTiles(positions, filterK, outC);
      expect(t.kTiles * 32).toBeGreaterThanOrEqual(filterK);
      expect((t.kTiles - 1) * 32).toBeLessThan(filterK);
      expect(t.cTiles * 32).toBeGreaterThanOrEqual(outC);
      expect(t.chunkLen % 32).toBe(0);
      expect(t.splits * t.chunkLen).toBeGreaterThanOrEqual(positions);
      expect((t.splits - 1) * t.chunkLen).toBeLessThan(positions);
      expect(t.splits).toBeLessThanOrEqual(65535);
      expect(t.splits * filterK * outC).toBeLessThanOrEqual(Math.max(filterK * outC, 1 << 24));
      if (t.splits > 1) expect(t.chunkLen).toBeGreaterThanOrEqual(4 * 32);
    }
    // conv1: 2 output blocks, so ~1,024 chunks of 512 positions (16 steps of 32)
    const conv1 = filterGradTiles(32 * 128 * 128, 36, 32);
    expect(conv1.kTiles * conv1.cTiles).toBe(2);
    expect(conv1.kTiles * conv1.cTiles * conv1.splits).toBeGreaterThanOrEqual(2048);
    expect(conv1.kTiles * conv1.cTiles * conv1.splits).toBeLessThan(2048 + 2 * 2);
  });
});

describe('conv2dFilterGradReference', () => {
  it('matches tfjs on a case worked by hand: 1×2×2×1 input, 2×2 filter, stride 1 valid', () => {
    // one output position: dW = x · dy
    const dw = conv2dFilterGradReference(Float32Array.from([1, 2, 3, 4]), [1, 2, 2, 1], Float32Array.from([0.5]), [2, 2, 1, 1], 1, 'valid');
    expect(Array.from(dw)).toEqual([0.5, 1, 1.5, 2]);
  });
});

describe('verifyConv2dFilterGrad', () => {
  it("passes tfjs's cpu filter gradient", async () => {
    expect(await verifyConv2dFilterGrad()).toBeNull();
  });

  it('catches a wrong kernel and names the case and the value', async () => {
    // the common slip: the padding ignored (every tap read from the unpadded corner)
    tf.unregisterKernel(KERNEL, 'cpu');
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: 'cpu',
      kernelFunc: (args) => {
        const attrs = args.attrs as unknown as { pad: unknown };
        return cpuKernel!.kernelFunc({ ...args, attrs: { ...args.attrs, pad: attrs.pad === 'same' ? 'valid' : attrs.pad } } as typeof args);
      },
    });
    try {
      const r = await verifyConv2dFilterGrad();
      expect(r).toMatch(/^self-check failed on cpu \(x \[3,8,7,4\], filter \[3,3,4,6\], stride 1 same, value \d+: /);
    } finally {
      tf.unregisterKernel(KERNEL, 'cpu');
      tf.registerKernel(cpuKernel!);
    }
    expect(await verifyConv2dFilterGrad()).toBeNull();
  });
});
