import { describe, expect, it } from 'vitest';
import fixture from './fixtures/multilabel-f1.json';
import { countsAtThresholds, countsFromLabelSets, countsFromMatrices, f1Report, labelMatrix, labelSets, macroF1, parseEmptyClassRule } from './metrics';

// scikit-learn 1.2.1 on 500 random rows × 28 classes (scripts/fixtures/multilabel_f1.py).
const fx = fixture as unknown as {
  truth: number[][];
  pred: number[][];
  probs: number[];
  thresholds: number[];
  sklearn: { macroZero: number; macroOne: number; macroSkip: number; perClassF1: number[]; precision: number[]; recall: number[]; support: number[] };
};

describe('macro F1 against scikit-learn', () => {
  const counts = countsFromLabelSets(fx.truth, fx.pred);

  it('zero rule (the default) equals f1_score(average="macro", zero_division=0)', () => {
    const report = f1Report(counts);
    expect(report.emptyClass).toBe('zero');
    expect(report.macroF1).toBeCloseTo(fx.sklearn.macroZero, 9);
    expect(report.scoredClasses).toBe(28);
  });

  it('per-class F1, precision, recall and support equal scikit-learn', () => {
    const report = f1Report(counts);
    report.perClass.forEach((s, c) => {
      expect(s.f1).toBeCloseTo(fx.sklearn.perClassF1[c], 9);
      expect(s.precision).toBeCloseTo(fx.sklearn.precision[c], 9);
      expect(s.recall).toBeCloseTo(fx.sklearn.recall[c], 9);
      expect(s.support).toBe(fx.sklearn.support[c]);
    });
  });

  it('reports the empty class and scores it by the chosen rule: one = zero_division=1, skip = mean over the rest', () => {
    const zero = f1Report(counts, 'zero');
    expect(zero.emptyClasses).toEqual([27]); // 26 has false positives, 25 has misses: not empty
    expect(zero.perClass[27].f1).toBe(0);
    const one = f1Report(counts, 'one');
    expect(one.emptyClass).toBe('one');
    expect(one.perClass[27].f1).toBe(1);
    expect(one.macroF1).toBeCloseTo(fx.sklearn.macroOne, 9);
    const skip = f1Report(counts, 'skip');
    expect(skip.scoredClasses).toBe(27);
    expect(Number.isNaN(skip.perClass[27].f1)).toBe(true);
    expect(skip.macroF1).toBeCloseTo(fx.sklearn.macroSkip, 9);
    expect(macroF1(counts, 'skip')).toBe(skip.macroF1);
  });

  it('probabilities at the threshold vector (p > t in float32) give the same counts as the label sets', () => {
    const truth = labelMatrix(fx.truth);
    const fromProbs = countsAtThresholds(truth, Float32Array.from(fx.probs), fx.thresholds);
    expect([...fromProbs.tp]).toEqual([...counts.tp]);
    expect([...fromProbs.fp]).toEqual([...counts.fp]);
    expect([...fromProbs.fn]).toEqual([...counts.fn]);
    expect(macroF1(fromProbs)).toBeCloseTo(fx.sklearn.macroZero, 9);
  });
});

describe('docs/domain.md §6 hard-F1 vectors', () => {
  it('one class, y = [1,0,1,0], p = [.9,.2,.4,.6]: F1 at 0.5 is 0.5', () => {
    const k = countsAtThresholds(Uint8Array.from([1, 0, 1, 0]), Float32Array.from([0.9, 0.2, 0.4, 0.6]), 0.5, 1);
    expect(macroF1(k)).toBeCloseTo(0.5, 12);
  });

  it('4 × 3 batch: macro F1 at 0.5 is 0.5, per class [0.5, 1, 0]', () => {
    const Y = Uint8Array.from([1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0]);
    const P = Float32Array.from([0.9, 0.1, 0.2, 0.2, 0.7, 0.1, 0.4, 0.6, 0.3, 0.6, 0.2, 0.05]);
    const r = f1Report(countsAtThresholds(Y, P, 0.5, 3));
    expect(r.perClass.map((s) => s.f1)).toEqual([0.5, 1, 0]);
    expect(r.macroF1).toBeCloseTo(0.5, 12);
    expect(r.emptyClasses).toEqual([2]);
  });

  it('a probability equal to the threshold is not predicted (rule p > t), even for float32 0.2', () => {
    const k = countsAtThresholds(Uint8Array.from([0]), Float32Array.from([0.2]), 0.2, 1);
    expect(k.fp[0]).toBe(0);
  });
});

describe('reference points of §3 on the real class counts', () => {
  it('predicting only class 0 everywhere scores ≈ 0.021, all 28 labels ≈ 0.10', async () => {
    const { TRAIN_COUNTS, TRAIN_IMAGES } = await import('./labels');
    const only0 = { numClasses: 28, rows: TRAIN_IMAGES, tp: new Int32Array(28), fp: new Int32Array(28), fn: Int32Array.from(TRAIN_COUNTS) };
    only0.tp[0] = TRAIN_COUNTS[0];
    only0.fp[0] = TRAIN_IMAGES - TRAIN_COUNTS[0];
    only0.fn[0] = 0;
    expect(macroF1(only0)).toBeCloseTo(0.021, 3);
    const all = {
      numClasses: 28,
      rows: TRAIN_IMAGES,
      tp: Int32Array.from(TRAIN_COUNTS),
      fp: Int32Array.from(TRAIN_COUNTS, (n) => TRAIN_IMAGES - n),
      fn: new Int32Array(28),
    };
    expect(macroF1(all)).toBeCloseTo(0.1, 2);
  });
});

describe('helpers', () => {
  it('labelMatrix and labelSets round-trip and reject bad class ids', () => {
    const sets = [[0, 5], [], [27]];
    expect(labelSets(labelMatrix(sets))).toEqual(sets);
    expect(() => labelMatrix([[28]])).toThrow(/28/);
  });

  it('mismatched shapes are errors, not silent truncation', () => {
    expect(() => countsFromMatrices(new Uint8Array(56), new Uint8Array(28))).toThrow(/predictions/);
    expect(() => countsAtThresholds(new Uint8Array(28), new Float32Array(28), [0.5, 0.5])).toThrow(/2 thresholds/);
  });

  it('parseEmptyClassRule accepts the three rules only', () => {
    expect(parseEmptyClassRule('skip')).toBe('skip');
    expect(() => parseEmptyClassRule('none')).toThrow(/zero, one, skip/);
  });
});
