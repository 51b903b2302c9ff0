import { describe, expect, it } from 'vitest';
import { explainFailure } from './explainFailure';

describe('explainFailure', () => {
  it('an out-of-memory during training says which memory, the batch and size, and that the last checkpoint is kept', () => {
    // Emscripten's abort when tfjs-backend-wasm's heap cannot grow, and WebAssembly.Memory.grow's own error
    for (const e of [
      new Error('Aborted(Cannot enlarge memory arrays to size 4294967296 bytes (OOM).)'),
      new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'),
    ]) {
      expect(explainFailure(e, 32, 224, 'wasm')).toBe(
        `The WebAssembly heap ran out of memory (${e.message}). Try a smaller batch (now 32) or input size (now 224 px); the last checkpoint is kept and the run can resume.`,
      );
    }
    expect(explainFailure(new RangeError('Array buffer allocation failed'), 8, 128, 'cpu')).toMatch(
      /^The page's memory ran out of memory .*now 8.*now 128 px.*last checkpoint is kept/,
    );
    expect(explainFailure(new Error('GPUOutOfMemoryError: Out of memory'), 16, 299, 'webgpu')).toMatch(/^The GPU ran out of memory/);
    expect(explainFailure('Binding size (536870912) of [Buffer] is larger than the maximum binding size (134217728).', 16, 224, 'webgpu')).toMatch(
      /^The GPU ran out of memory .*Try a smaller batch \(now 16\)/,
    );
  });
  it('a lost device points to another backend; anything else is passed on as it is', () => {
    expect(explainFailure(new Error('GPUDevice was lost: reason unknown'), 4, 64, 'webgpu')).toMatch(
      /^The GPU device was lost .*resume from the last checkpoint/,
    );
    expect(explainFailure(new Error('weight shapes differ'), 4, 64)).toBe('weight shapes differ');
  });
});
