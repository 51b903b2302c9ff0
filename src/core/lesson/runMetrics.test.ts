import { describe, expect, it } from 'vitest';
import { lessonRunMetrics } from './runMetrics';

describe('lessonRunMetrics', () => {
  it('scores each class at 0.5 and at its own threshold tuned on the same rows, and bins the rare classes', () => {
    // 4 rows × 3 classes; class 0: positives at 0.9 and 0.4 (0.5 finds one of two), class 1: none, class 2: one positive at 0.3
    const probs = Float32Array.from([0.9, 0.1, 0.3, 0.4, 0.6, 0.1, 0.2, 0.2, 0.05, 0.1, 0.7, 0.2]);
    const truth = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const m = lessonRunMetrics(probs, truth, 3, [2]);
    expect(m.rows).toBe(4);
    expect(m.valPositives).toEqual([2, 0, 1]);
    expect(m.f1At05[0]).toBeCloseTo(2 / 3, 12); // tp 1, fn 1
    expect(m.f1At05[2]).toBe(0);
    expect(m.f1Tuned[0]).toBe(1); // any threshold in [0.2, 0.4) separates 0.9, 0.4 from 0.2, 0.1
    expect(m.f1Tuned[2]).toBe(1);
    expect(m.tunedThresholds[0]).toBeLessThan(0.4);
    expect(m.histograms).toEqual([{ cls: 2, positives: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], negatives: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] }]);
  });
});
