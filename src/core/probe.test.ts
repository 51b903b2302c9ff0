import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { measureTrainingSteps, median } from './probe';

describe('training probe', () => {
  it('trains a small 4-channel CNN on the cpu backend: loss falls and no tensor leaks', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const { losses, stepTimesMs } = await measureTrainingSteps(tf, { size: 16, batch: 4, steps: 5 });
    expect(losses).toHaveLength(5);
    expect(stepTimesMs.every((t) => t > 0)).toBe(true);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[4]).toBeLessThan(losses[0]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is repeatable for a seed', async () => {
    await tf.setBackend('cpu');
    const a = await measureTrainingSteps(tf, { size: 16, batch: 2, steps: 2, seed: 7 });
    const b = await measureTrainingSteps(tf, { size: 16, batch: 2, steps: 2, seed: 7 });
    expect(a.losses).toEqual(b.losses);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
