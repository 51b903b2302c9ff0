import { describe, expect, it } from 'vitest';
import { countText, filterSamples, NO_FILTER, predictionFilterOn, type SampleFilter } from './filter';
import { confidenceOf, joinPredictionRows, predictedLabels, predictionTone, type Predictions } from './samplePredictions';

const samples = [
  { id: 'a', split: 'train', labels: [0, 25] },
  { id: 'b', split: 'train', labels: [0] },
  { id: 'c', split: 'train', labels: [25, 27] },
  { id: 'd', split: 'test', labels: [0, 25] },
  { id: 'e', split: 'test', labels: [] },
];
const ids = (f: Parameters<typeof filterSamples>[1]) => filterSamples(samples, f).map((s) => s.id);

describe('explorer filter', () => {
  it('no filter keeps everything in order', () => {
    expect(ids(NO_FILTER)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('filters by split', () => {
    expect(ids({ ...NO_FILTER, split: 'train' })).toEqual(['a', 'b', 'c']);
    expect(ids({ ...NO_FILTER, split: 'test' })).toEqual(['d', 'e']);
  });

  it('any: samples with at least one selected class; all: with every selected class', () => {
    expect(ids({ ...NO_FILTER, split: 'all', classes: [0, 27], match: 'any' })).toEqual(['a', 'b', 'c', 'd']);
    expect(ids({ ...NO_FILTER, split: 'all', classes: [0, 25], match: 'all' })).toEqual(['a', 'd']);
    expect(ids({ ...NO_FILTER, split: 'train', classes: [0, 25], match: 'all' })).toEqual(['a']);
    expect(ids({ ...NO_FILTER, split: 'all', classes: [8], match: 'any' })).toEqual([]);
  });

  it("formats the count as '1,234 of 31,072 samples'", () => {
    expect(countText(1234, 31072)).toBe('1,234 of 31,072 samples');
    expect(countText(0, 1)).toBe('0 of 1 sample');
  });
});

/** 4 classes for readability: rows of a, b, c (validation) and d (test); e has no prediction. */
function predictions(testTruth: boolean, thresholds = [0.5, 0.5, 0.5, 0.5]): Predictions {
  const val = { ids: ['a', 'b', 'c'], probs: Float32Array.from([0.9, 0.1, 0.2, 0.1, 0.8, 0.6, 0.1, 0.1, 0.3, 0.2, 0.1, 0.45]) };
  const test = { ids: ['d', 'a'], probs: Float32Array.from([0.7, 0.2, 0.2, 0.55, 0, 0, 0, 0]) };
  const { probs, rows } = joinPredictionRows([val, test], 4);
  return { runId: 'r', runName: 'run 1', numClasses: 4, probs, rows, thresholds, testTruth };
}
// true labels over classes 0..3
const small = [
  { id: 'a', split: 'train', labels: [0] }, // predicts [0]: correct, confidence 0.9
  { id: 'b', split: 'train', labels: [0] }, // predicts [0, 1]: an extra label (1), confidence 0.8
  { id: 'c', split: 'train', labels: [0, 3] }, // predicts []: missed, confidence 0.45
  { id: 'd', split: 'test', labels: [3] }, // predicts [0, 3]: extra (0) when test labels are truth
  { id: 'e', split: 'test', labels: [] }, // no prediction
];
const shown = (f: Partial<SampleFilter>, p: Predictions | null = predictions(true)) => filterSamples(small, { ...NO_FILTER, ...f }, p).map((s) => s.id);

describe('explorer prediction filter', () => {
  it('joins validation then test rows; an id given twice keeps its first row', () => {
    const p = predictions(true);
    expect([...p.rows]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ]);
    expect(Array.from(p.probs.subarray(12, 16))).toEqual(Array.from(Float32Array.from([0.7, 0.2, 0.2, 0.55])));
    expect(() => joinPredictionRows([{ ids: ['x'], probs: new Float32Array(3) }], 4)).toThrow(/3 probabilities for 1 ids × 4 classes/);
  });

  it('predicts p > t in float32, and compares predicted with true labels', () => {
    const p = predictions(true);
    expect([0, 1, 2, 3].map((r) => predictedLabels(p, r))).toEqual([[0], [0, 1], [], [0, 3]]);
    expect(small.slice(0, 4).map((s, r) => predictionTone(p, r, s))).toEqual(['correct', 'extra', 'missed', 'extra']);
    expect(predictionTone(predictions(false), 3, small[3])).toBe('unknown');
    expect(predictionTone(predictions(true, [0.5, 0.5, 0.5, 0.5]), 1, { split: 'train', labels: [1, 2] })).toBe('wrong');
    // 0.6 at a threshold of 0.6: not predicted (the evaluation's rule)
    expect(predictedLabels(predictions(true, [0.5, 0.6, 0.5, 0.5]), 1)).toEqual([0]);
    expect([confidenceOf(p, 2, null), confidenceOf(p, 2, 0)]).toEqual([Math.fround(0.45), Math.fround(0.3)]);
  });

  it('without a prediction filter, every sample shows (with or without a prediction)', () => {
    expect(predictionFilterOn(NO_FILTER)).toBe(false);
    expect(shown({})).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('errors only: samples with an extra or missed label; test rows count only when test labels are truth', () => {
    expect(shown({ agreement: 'errors' })).toEqual(['b', 'c', 'd']);
    expect(shown({ agreement: 'errors' }, predictions(false))).toEqual(['b', 'c']);
    expect(shown({ agreement: 'correct' })).toEqual(['a']);
    expect(shown({ agreement: 'errors', split: 'train' })).toEqual(['b', 'c']);
  });

  it('by predicted class, and by confidence (that class’s probability, else the highest)', () => {
    expect(shown({ predicted: 0 })).toEqual(['a', 'b', 'd']);
    expect(shown({ predicted: 3 })).toEqual(['d']);
    expect(shown({ predicted: 0, agreement: 'errors' })).toEqual(['b', 'd']);
    expect(shown({ confidence: [0, 0.5] })).toEqual(['c']);
    expect(shown({ confidence: [0.75, 1] })).toEqual(['a', 'b']);
    expect(shown({ predicted: 0, confidence: [0.75, 0.85] })).toEqual(['b']);
  });

  it('reads a confidence range typed the wrong way round as the range it spans', () => {
    expect(shown({ confidence: [1, 0.75] })).toEqual(['a', 'b']);
    expect(shown({ predicted: 0, confidence: [0.85, 0.75] })).toEqual(['b']);
    expect(predictionFilterOn({ ...NO_FILTER, confidence: [1, 0] })).toBe(false);
  });

  it('prediction filters hide samples without a prediction, and do nothing without predictions', () => {
    expect(shown({ confidence: [0, 1], agreement: 'any', predicted: null })).toContain('e');
    expect(shown({ confidence: [0, 0.99] })).not.toContain('e');
    expect(shown({ agreement: 'errors', classes: [0] }, null)).toEqual(['a', 'b', 'c']);
  });
});
