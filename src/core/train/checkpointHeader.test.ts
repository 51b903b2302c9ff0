import { describe, expect, it } from 'vitest';
import { encodeCheckpoint, type Checkpoint } from './checkpoint';
import { readCheckpointHeader } from './checkpointHeader';

const checkpoint: Checkpoint = {
  epoch: 3,
  phase: 0,
  optimizerStep: 12,
  learningRate: 1e-3,
  weights: [
    { name: 'conv/kernel', shape: [3, 3, 4, 2], data: new Float32Array(72).fill(0.5) },
    { name: 'conv/bias', shape: [2], data: new Float32Array(2) },
  ],
  optimizer: [{ name: 'iter', shape: [], data: new Float32Array([12]) }],
  history: [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }] as unknown as Checkpoint['history'],
  meta: { model: 'tiny' },
};

describe('readCheckpointHeader', () => {
  it('reads the epoch and history of a whole checkpoint and finds every byte there', () => {
    const buf = encodeCheckpoint(checkpoint);
    const h = readCheckpointHeader(buf);
    expect(h).toMatchObject({ epoch: 3, history: checkpoint.history, expectedBytes: buf.byteLength, storedBytes: buf.byteLength });
  });

  it('finds a checkpoint cut short in its tensors, in its header, or not a checkpoint at all', () => {
    const buf = encodeCheckpoint(checkpoint);
    expect(readCheckpointHeader(buf.slice(0, buf.byteLength - 4))).toMatchObject({ expectedBytes: buf.byteLength, storedBytes: buf.byteLength - 4 });
    expect(readCheckpointHeader(buf.slice(0, 40))).toEqual({ error: expect.stringMatching(/^its header needs \d+ bytes, 40 are stored$/) });
    expect(readCheckpointHeader(buf.slice(0, 8))).toEqual({ error: "8 bytes, shorter than a checkpoint's header" });
    expect(readCheckpointHeader(new Uint8Array(64).buffer)).toEqual({ error: 'not a checkpoint (bad magic number)' });
  });
});
