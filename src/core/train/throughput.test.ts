import { describe, expect, it } from 'vitest';
import { Throughput } from './throughput';

describe('images per second for the live view', () => {
  it('is the rate since the previous report, and the epoch average for its last batch', () => {
    const t = new Throughput(0);
    t.startEpoch(1000);
    // 16-image batches every 200 ms: 80 img/s
    for (let i = 1; i <= 5; i++) t.add(16);
    expect(t.take(2000, false)).toBeCloseTo(80); // 80 images in 1 s
    for (let i = 1; i <= 4; i++) t.add(16);
    expect(t.take(2800, false)).toBeCloseTo(80);
    // the last batch's loss, read one step late, is reported 1 ms after the one before it
    t.add(16);
    expect(t.take(2801, true)).toBeCloseTo((10 * 16 * 1000) / 1801); // the epoch: 160 images in 1.8 s, not 16,000 img/s
  });

  it('restarts with each epoch, so validation time does not count', () => {
    const t = new Throughput(0);
    t.startEpoch(0);
    t.add(32);
    t.take(400, true);
    t.startEpoch(5000); // 4.6 s of validation in between
    t.add(32);
    expect(t.take(5400, false)).toBeCloseTo(80);
  });
});
