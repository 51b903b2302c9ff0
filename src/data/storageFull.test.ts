import { describe, expect, it } from 'vitest';
import { checkpointStorageFullMessage, importStorageFullMessage, isStorageFull } from './storageFull';

describe('storage full', () => {
  it('is told by the QuotaExceededError name, through causes, and by the words of a short OPFS write', () => {
    expect(isStorageFull(new DOMException('', 'QuotaExceededError'))).toBe(true);
    expect(isStorageFull(new Error('checkpoint failed', { cause: new DOMException('x', 'QuotaExceededError') }))).toBe(true);
    expect(isStorageFull(new Error('storage wrote none of 16384 bytes: the disk or the quota is full'))).toBe(true);
    expect(isStorageFull(new DOMException('gone', 'NotFoundError'))).toBe(false);
    expect(isStorageFull(new Error('image is 16×16 while the others are 32×32'))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
  });

  it('an import says what it stored, what the rest needs and what to do', () => {
    expect(importStorageFullMessage({ stored: 412, wanted: 1000, sampleBytes: 128 * 128 * 4, overheadPerSample: 200 })).toBe(
      'Browser storage is full: stored 412 of 1,000 samples (27 MB); the other 588 need 39 MB more. ' +
        'Free space (delete a dataset, runs or stored weights, or let this site use more of the disk), then press Resume… on the dataset and choose the same files.',
    );
  });

  it('a run names the checkpoint it could not write and the one it kept', () => {
    expect(checkpointStorageFullMessage({ epoch: 3, bytes: 2.5e6, lastGood: 2 })).toBe(
      'Browser storage is full: the checkpoint of epoch 3 (2.5 MB) could not be written, so the run stopped; the checkpoint of epoch 2 is kept. Free space, then press Resume from epoch 2.',
    );
    expect(checkpointStorageFullMessage({ epoch: 1, bytes: 2.5e6, lastGood: 0 })).toContain('no earlier checkpoint was stored. Free space, then train again.');
  });
});
