import { describe, expect, it } from 'vitest';
import {
  backendsAfter,
  bytesInGpuError,
  deviceLostMessage,
  gpuMemoryMessage,
  isGpuMemoryError,
  parseFaultFlag,
  predictFallbackNote,
  resumeChoices,
  suggestBatch,
} from './gpuFaults';

describe('where a run goes on after its GPU failed', () => {
  it('falls back from webgpu to webgl, then wasm; never to cpu while wasm is there', () => {
    expect(backendsAfter('webgpu')).toEqual(['webgl', 'wasm']);
    expect(backendsAfter('webgl')).toEqual(['wasm']);
    expect(backendsAfter('wasm')).toEqual(['wasm']);
    expect(backendsAfter('something else')).toEqual(['wasm']);
  });
  it('offers the lost backend again first, then the next ones', () => {
    expect(resumeChoices('webgpu')).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(resumeChoices('webgl')).toEqual(['webgl', 'wasm']);
  });
});

describe('the device-lost message', () => {
  const lost = { reason: 'destroyed', message: 'Device was destroyed.' };
  it('says the reason, the step and the checkpoint kept', () => {
    expect(deviceLostMessage(lost, { epoch: 2, step: 5 }, 1)).toBe(
      'The GPU device was lost (reason: destroyed) at epoch 2, step 5 (the browser said: Device was destroyed). The checkpoint of epoch 1 is kept; nothing after it was recorded. Resume from it on webgpu again or on another backend.',
    );
  });
  it('says when there is no checkpoint yet, and leaves out a message that only repeats the reason', () => {
    expect(deviceLostMessage({ reason: 'unknown', message: '' }, null, 0)).toBe(
      'The GPU device was lost (reason: unknown) before the first step. No epoch had finished, so there is no checkpoint to resume from: start the run again (on another backend if it happens again).',
    );
  });
  it("a prediction's note names both backends", () => {
    expect(predictFallbackNote(lost, 'webgpu', 'wasm')).toBe('the GPU device was lost (reason: destroyed) while predicting on webgpu: predicted again on wasm');
  });
});

describe('a buffer the GPU refused', () => {
  const dawn = {
    kind: 'validation',
    message: 'Buffer size (1140850688) exceeds the max buffer size limit (1073741824).\n - While calling [Device].CreateBuffer',
  };
  it('tells memory errors from other GPU errors', () => {
    expect(isGpuMemoryError(dawn)).toBe(true);
    expect(isGpuMemoryError({ kind: 'out-of-memory', message: '' })).toBe(true);
    expect(isGpuMemoryError({ kind: 'validation', message: 'Binding size is not a multiple of 4' })).toBe(false);
  });
  it("reads the bytes from Dawn's words", () => {
    expect(bytesInGpuError(dawn.message)).toEqual({ requested: 1140850688, limit: 1073741824 });
    expect(bytesInGpuError('out of memory')).toEqual({ requested: null, limit: null });
  });
  it('suggests the largest power of two below the batch whose buffer fits', () => {
    expect(suggestBatch(136, 1024, (b) => 8 * b)).toBe(128);
    expect(suggestBatch(136, 1000, (b) => 8 * b)).toBe(64);
    expect(suggestBatch(8, 10, (b) => 100 * b)).toBeNull();
    expect(suggestBatch(1, 10, () => 100)).toBeNull();
  });
  it('the message names what was asked, the limit and a batch that fits', () => {
    const estimate = { largestTensorBytes: 136 * 2 ** 23, largestTensorName: "conv1's output", totalBytes: 9.6e9 };
    const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 };
    expect(gpuMemoryMessage({ error: dawn, batchSize: 136, inputSize: 512, estimate, limits })).toBe(
      "Out of GPU memory: batch 136 at 512 px asked the GPU for a single buffer of 1088 MiB, about 9.6 GB in all by the estimate; the adapter's maxBufferSize is 1024 MiB. Try batch 128. The GPU said: validation: Buffer size (1140850688) exceeds the max buffer size limit (1073741824). Nothing after the error was recorded; the training worker was restarted.",
    );
    // an out-of-memory error without numbers: the estimate's largest tensor and the smaller adapter limit
    expect(
      gpuMemoryMessage({
        error: { kind: 'out-of-memory', message: 'Out of memory' },
        batchSize: 16,
        inputSize: 512,
        estimate: { ...estimate, largestTensorBytes: 16 * 2 ** 23 },
        limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 27 },
      }),
    ).toContain(
      "a single tensor of about 128 MiB (conv1's output), about 9.6 GB in all by the estimate; the adapter's maxStorageBufferBindingSize is 128 MiB. Try batch 8.",
    );
  });
});

describe('a buffer the worker refused before the GPU saw it', () => {
  it('is a memory error, and the message quotes the worker, not the GPU', () => {
    const error = {
      kind: 'limit',
      message: "buffer size (1140850688) exceeds the device's maxBufferSize limit (1073741824); refused before it reached the GPU",
    };
    expect(isGpuMemoryError(error)).toBe(true);
    expect(bytesInGpuError(error.message)).toEqual({ requested: 1140850688, limit: 1073741824 });
    const estimate = { largestTensorBytes: 68 * 2 ** 24, largestTensorName: "block1_conv1's output", totalBytes: 41.6e9 };
    const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 };
    expect(gpuMemoryMessage({ error, batchSize: 68, inputSize: 256, estimate, limits })).toBe(
      "Out of GPU memory: batch 68 at 256 px asked the GPU for a single buffer of 1088 MiB, about 41.6 GB in all by the estimate; the adapter's maxBufferSize is 1024 MiB. Try batch 64. The worker said: buffer size (1140850688) exceeds the device's maxBufferSize limit (1073741824); refused before it reached the GPU. Nothing after the error was recorded; the training worker was restarted.",
    );
  });
});

describe('the fault-injection flag', () => {
  it('reads the faults it knows and nothing else', () => {
    expect(parseFaultFlag('?fault=gpu-device-lost:train:2:5')).toEqual({ kind: 'gpu-device-lost', job: 'train', epoch: 2, step: 5 });
    expect(parseFaultFlag('?fault=gpu-device-lost:predict')).toEqual({ kind: 'gpu-device-lost', job: 'predict', epoch: 0, step: 0 });
    expect(parseFaultFlag('?fault=gpu-memory-check-off')).toEqual({ kind: 'gpu-memory-check-off' });
    expect(parseFaultFlag('')).toBeNull();
    expect(parseFaultFlag('?fault=gpu-device-lost:train')).toBeNull();
    expect(parseFaultFlag('?fault=crash')).toBeNull();
  });
});
