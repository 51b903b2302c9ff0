import { describe, expect, it } from 'vitest';
import { packWeights, unpackWeights } from './packedWeights';

describe('packed weights (the stored form)', () => {
  it('keeps every tensor, its names, shape and values, as views into one buffer', () => {
    const weights = [
      { layer: 'Conv1', weight: 'kernel', shape: [1, 1, 3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { layer: 'bn_Conv1', weight: 'gamma', shape: [2], data: Float32Array.from([0.5, -0.25]) },
    ];
    const packed = packWeights(weights);
    expect(packed.data.byteLength).toBe(32);
    const back = unpackWeights(structuredClone(packed));
    expect(back).toEqual(weights);
    expect(back[1].data.buffer).toBe(back[0].data.buffer);
  });

  it('refuses stored values that are too short for the index', () => {
    const packed = packWeights([{ layer: 'a', weight: 'bias', shape: [4], data: new Float32Array(4) }]);
    expect(() => unpackWeights({ ...packed, data: packed.data.slice(0, 8) })).toThrow('a/bias reaches past the stored values');
  });
});
