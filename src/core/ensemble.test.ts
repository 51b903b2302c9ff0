// Ensembles: mean of probabilities, majority vote, out-of-fold assembly, member and ensemble scores.
import { describe, expect, it } from 'vitest';
import { alignRun, areDisjoint, ensembleLabels, meanProbabilities, oofPredictions, scoreEnsemble, scoreMember, voteLabels } from './ensemble';
import { countsAtThresholds, f1Report } from './metrics';

/** Deterministic pseudo-random probabilities. */
function probs(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('ensembles', () => {
  it('mean mode: two runs given in different id orders combine to the mean of their probabilities per id', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const p1 = probs(4 * 28, 1),
      p2 = probs(4 * 28, 2);
    // run 2 lists its rows in reverse order
    const rev = ['d', 'c', 'b', 'a'];
    const p2rev = new Float32Array(4 * 28);
    rev.forEach((id, r) => p2rev.set(p2.subarray(ids.indexOf(id) * 28, ids.indexOf(id) * 28 + 28), r * 28));
    const mean = meanProbabilities([alignRun({ name: 'r1', ids, probs: p1 }, ids), alignRun({ name: 'r2', ids: rev, probs: p2rev }, ids)]);
    for (let i = 0; i < mean.length; i++) expect(mean[i]).toBeCloseTo((p1[i] + p2[i]) / 2, 7);
    const labels = ensembleLabels([p1, p2], { method: 'mean', thresholds: 0.5 });
    for (let i = 0; i < labels.length; i++) expect(labels[i]).toBe(Math.fround((p1[i] + p2[i]) / 2) > 0.5 ? 1 : 0);
    expect(() => alignRun({ name: 'r3', ids: ['a', 'b', 'c', 'e'], probs: p1 }, ids)).toThrow(/run r3: 1 Id\(s\) of the ensemble ids are missing: d/);
  });

  it('vote mode keeps a class where more than half the members predict it (each at its own thresholds)', () => {
    const m1 = Float32Array.of(0.9, 0.2, 0.6),
      m2 = Float32Array.of(0.8, 0.7, 0.4),
      m3 = Float32Array.of(0.1, 0.1, 0.45);
    expect(Array.from(voteLabels([m1, m2, m3], [0.5, 0.5, 0.5], { numClasses: 3 }))).toEqual([1, 0, 0]);
    expect(Array.from(voteLabels([m1, m2, m3], [0.5, 0.5, [0.5, 0.5, 0.3]], { numClasses: 3 }))).toEqual([1, 0, 1]);
    expect(Array.from(voteLabels([m1, m2, m3], [0.5, 0.5, 0.5], { numClasses: 3, minVotes: 1 }))).toEqual([1, 1, 1]);
    // two members: a class needs both
    expect(Array.from(ensembleLabels([m1, m2], { method: 'vote', thresholds: 0.5, numClasses: 3 }))).toEqual([1, 0, 0]);
  });

  it('assembles out-of-fold predictions from K folds by id and rejects overlapping or incomplete folds', () => {
    const f0 = { name: 'fold 0', ids: ['c', 'a'], probs: Float32Array.of(0.3, 0.1) };
    const f1 = { name: 'fold 1', ids: ['b'], probs: Float32Array.of(0.2) };
    expect(areDisjoint([f0, f1])).toBe(true);
    const oof = oofPredictions([f0, f1], { order: ['a', 'b', 'c'], numClasses: 1 });
    expect(oof.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(oof.probs)).toEqual([Math.fround(0.1), Math.fround(0.2), Math.fround(0.3)]);
    expect(() => oofPredictions([f0, f1], { order: ['a', 'b', 'c', 'z'], numClasses: 1 })).toThrow('1 id(s) have no out-of-fold prediction: z');
    const dup = { name: 'fold 2', ids: ['a'], probs: Float32Array.of(0.5) };
    expect(areDisjoint([f0, dup])).toBe(false);
    expect(() => oofPredictions([f0, dup], { numClasses: 1 })).toThrow('id a is in the validation predictions of both fold 0 and fold 2');
  });

  it("scores each member and the ensemble with metrics.ts's macro F1", () => {
    const n = 40;
    const truth = Uint8Array.from(probs(n * 28, 7), (p) => (p > 0.7 ? 1 : 0));
    const m1 = probs(n * 28, 8),
      m2 = probs(n * 28, 9);
    const t = Array.from({ length: 28 }, (_, c) => 0.3 + c / 100);
    const s1 = scoreMember('run 1', truth, m1, t);
    expect(s1.rows).toBe(n);
    expect(s1.report.macroF1).toBe(f1Report(countsAtThresholds(truth, m1, t)).macroF1);
    const ens = scoreEnsemble(truth, [m1, m2], { method: 'mean', thresholds: t });
    expect(ens.macroF1).toBe(f1Report(countsAtThresholds(truth, meanProbabilities([m1, m2]), t)).macroF1);
    // a hand-checked case: one class, y = [1,0,1,0], the mean of two members = [.9,.2,.4,.6] → F1 at 0.5 = 0.5
    const y = Uint8Array.of(1, 0, 1, 0);
    const a = Float32Array.of(1, 0.4, 0.3, 0.6),
      b = Float32Array.of(0.8, 0, 0.5, 0.6);
    expect(scoreEnsemble(y, [a, b], { method: 'mean', thresholds: 0.5, numClasses: 1 }).macroF1).toBeCloseTo(0.5, 12);
    expect(scoreEnsemble(y, [a, b], { method: 'mean', thresholds: 0.2, numClasses: 1 }).macroF1).toBeCloseTo(0.8, 12);
  });
});
