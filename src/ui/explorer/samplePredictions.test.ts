import { describe, expect, it } from 'vitest';
import { joinPredictionRows } from './samplePredictions';

describe('joinPredictionRows', () => {
  it("says where each source's rows end, so a row's source (validation: the newest epoch; test: the stored prediction's checkpoint) is known", () => {
    const val = { ids: ['a', 'b', 'c'], probs: new Float32Array(6) };
    const test = { ids: ['b', 't1', 't2'], probs: Float32Array.from([9, 9, 1, 1, 2, 2]) };
    const { rows, ends, probs } = joinPredictionRows([val, test], 2);
    expect(ends).toEqual([3, 5]); // 'b' keeps its validation row
    expect(rows.get('b')).toBeLessThan(ends[0]);
    expect(rows.get('t1')).toBeGreaterThanOrEqual(ends[0]);
    expect(Array.from(probs.subarray(rows.get('t2')! * 2, rows.get('t2')! * 2 + 2))).toEqual([2, 2]);
  });
});
