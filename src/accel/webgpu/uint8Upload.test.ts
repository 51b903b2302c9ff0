/**
 * The byte upload's packing (views, alignment, partial words) and its self-check, in Node.
 * Node has no WebGPU, so the kernel contract — int32 words in, one float per byte out,
 * little-endian — is implemented here for the cpu backend; the WGSL kernel itself is checked by
 * verifyUint8Upload in the browser (e2e/backend.spec.ts asserts that check passed on webgpu).
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchTensor, hasUint8Upload, UINT8_TO_FLOAT32, uint8Tensor } from '../../core/augment';
import { verifyUint8Upload } from './uint8Upload';

function cpuKernel(decode: (word: number, k: number) => number): tf.KernelConfig {
  return {
    kernelName: UINT8_TO_FLOAT32,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x as tf.TensorInfo;
      const words = (backend as unknown as { readSync(id: unknown): Int32Array }).readSync(x.dataId);
      const size = (attrs as { size: number }).size;
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = decode(words[i >> 2], i & 3);
      return (backend as unknown as { makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo }).makeTensorInfo(
        [size],
        'float32',
        out,
      );
    },
  };
}
const littleEndian = (w: number, k: number) => (w >> (8 * k)) & 255;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  if (tf.getKernel(UINT8_TO_FLOAT32, 'cpu')) tf.unregisterKernel(UINT8_TO_FLOAT32, 'cpu');
});

function pattern(n: number, offset = 0): Uint8Array {
  const base = new Uint8Array(n + offset + 3);
  for (let i = 0; i < base.length; i++) base[i] = (i * 97 + 5) & 255;
  return base.subarray(offset, offset + n);
}

describe('uint8Tensor', () => {
  it('without the kernel takes the float path: exact values, the given shape', async () => {
    expect(hasUint8Upload()).toBe(false);
    const bytes = pattern(2 * 3 * 3 * 4);
    const t = uint8Tensor(bytes, [2, 3, 3, 4]);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3, 3, 4]);
    expect(Array.from(await t.data())).toEqual(Array.from(bytes));
    t.dispose();
    expect(await verifyUint8Upload()).toBe('not available on cpu');
  });

  it('with the kernel: every byte value, odd offsets and partial words come back exactly, no tensor left behind', async () => {
    tf.registerKernel(cpuKernel(littleEndian));
    expect(hasUint8Upload()).toBe(true);
    const all = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    for (const bytes of [all, pattern(7), pattern(13, 1), pattern(64, 2), pattern(4 * 5 * 5 * 4, 3), pattern(1), new Uint8Array(0)]) {
      const before = tf.memory().numTensors;
      const t = uint8Tensor(bytes, [bytes.length]);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(Array.from(await t.data())).toEqual(Array.from(bytes));
      t.dispose();
    }
  });

  it('batchTensor goes through it: a [b, S, S, 4] float batch equal to the stored bytes', async () => {
    tf.registerKernel(cpuKernel(littleEndian));
    const bytes = pattern(3 * 8 * 8 * 4, 1);
    const x = batchTensor(bytes, 3, 4);
    expect(x.shape).toEqual([3, 8, 8, 4]);
    expect(Array.from(await x.data())).toEqual(Array.from(bytes));
    x.dispose();
  });

  it('rejects a shape the bytes cannot fill, naming both', () => {
    expect(() => uint8Tensor(new Uint8Array(10), [2, 2])).toThrow('10 bytes cannot fill shape [2,2]');
  });
});

describe('verifyUint8Upload', () => {
  it('passes a correct kernel and keeps it', async () => {
    tf.registerKernel(cpuKernel(littleEndian));
    expect(await verifyUint8Upload()).toBeNull();
    expect(hasUint8Upload()).toBe(true);
  });

  it('catches a wrong kernel (big-endian bytes), says which byte, and falls back to the float path', async () => {
    tf.registerKernel(cpuKernel((w, k) => (w >>> (8 * (3 - k))) & 255));
    const why = await verifyUint8Upload();
    expect(why).toMatch(/^self-check failed on cpu \(byte \d+: \d+ came back as \d+\); batches upload as float32$/);
    expect(hasUint8Upload()).toBe(false);
    const bytes = pattern(12);
    const t = uint8Tensor(bytes, [12]);
    expect(Array.from(await t.data())).toEqual(Array.from(bytes));
    t.dispose();
  });
});
