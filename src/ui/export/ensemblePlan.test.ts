import { describe, expect, it } from 'vitest';
import { chooseThresholds, predictLabels } from '../../core/thresholds';
import { countsFromMatrices, f1Report } from '../../core/metrics';
import { commonIds, ensembleTest, planEnsemble, type EnsembleSettings, type MemberInput } from './ensemblePlan';

const C = 3;
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
function member(name: string, ids: string[], seed: number): MemberInput {
  const r = rng(seed);
  const truth = Uint8Array.from({ length: ids.length * C }, () => (r() < 0.4 ? 1 : 0));
  const probs = Float32Array.from(truth, (t) => Math.min(1, Math.max(0, t ? 0.35 + r() * 0.6 : r() * 0.6)));
  return { name, valIds: ids, valProbs: probs, valTruth: truth, packagedThresholds: null };
}
const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
const settings = (o: Partial<EnsembleSettings> = {}): EnsembleSettings => ({ method: 'mean', mode: 'global', atLeastOne: false, rates: null, ...o });

describe('planEnsemble', () => {
  it('one run: its own thresholds and validation macro F1, as chooseThresholds gives them', () => {
    const m = member('a', ids('x', 40), 1);
    const plan = planEnsemble([m], settings({ mode: 'per-class' }), C);
    const ref = chooseThresholds(m.valTruth!, m.valProbs!, 'per-class', { numClasses: C });
    expect(Array.from(plan.thresholds)).toEqual(Array.from(ref.thresholds));
    expect(plan.valMacroF1).toBeCloseTo(ref.report.macroF1, 12);
    expect(plan.members[0].valMacroF1).toBeCloseTo(ref.report.macroF1, 12);
    expect(plan.source).toBe('own');
  });

  it('folds with disjoint validation sets: thresholds from the out-of-fold predictions', () => {
    const a = member('fold0', ids('a', 30), 2);
    const b = member('fold1', ids('b', 30), 3);
    const plan = planEnsemble([a, b], settings(), C);
    expect(plan.source).toBe('oof');
    expect(plan.valRows).toBe(60);
    const truth = new Uint8Array([...a.valTruth!, ...b.valTruth!]);
    const probs = new Float32Array([...a.valProbs!, ...b.valProbs!]);
    const ref = chooseThresholds(truth, probs, 'global', { numClasses: C });
    expect(Array.from(plan.thresholds)).toEqual(Array.from(ref.thresholds));
    expect(plan.valMacroF1).toBeCloseTo(ref.report.macroF1, 12);
  });

  it('runs sharing validation images: the mean on the images every member held out', () => {
    const shared = ids('s', 30);
    const a = member('a', [...shared, 'only-a'], 4);
    const b = { ...member('b', ['only-b', ...shared], 5) };
    // same truth on the shared ids, different probabilities
    b.valTruth = new Uint8Array([0, 1, 0, ...a.valTruth!.subarray(0, 30 * C)]);
    const plan = planEnsemble([a, b], settings(), C);
    expect(plan.source).toBe('common');
    expect(plan.valRows).toBe(30);
    const mean = Float32Array.from({ length: 30 * C }, (_, i) => (a.valProbs![i] + b.valProbs![C + i]) / 2);
    const truth = a.valTruth!.subarray(0, 30 * C);
    const t = chooseThresholds(truth, mean, 'global', { numClasses: C }).thresholds;
    expect(Array.from(plan.thresholds)).toEqual(Array.from(t));
    expect(plan.valMacroF1).toBeCloseTo(f1Report(countsFromMatrices(truth, predictLabels(mean, t, { numClasses: C }), C)).macroF1, 12);
    expect(commonIds([a.valIds, b.valIds])).toEqual(shared);
  });

  it('imported models without validation: their packaged thresholds, no score', () => {
    const m: MemberInput = { name: 'imp', valIds: [], valProbs: null, valTruth: null, packagedThresholds: [0.2, 0.4, 0.6] };
    const plan = planEnsemble([m, { ...m, packagedThresholds: [0.4, 0.4, 0.4] }], settings(), C);
    expect(Array.from(plan.thresholds).map((v) => +v.toFixed(6))).toEqual([0.3, 0.4, 0.5]);
    expect(plan.valMacroF1).toBeNull();
  });

  it('proportion mode without rates is refused', () => {
    expect(() => planEnsemble([member('a', ids('x', 10), 6)], settings({ mode: 'proportion' }), C)).toThrow(/prevalence/);
  });
});

describe('ensembleTest', () => {
  it('mean: the mean probabilities at the plan thresholds; vote: a majority of the members', () => {
    const p1 = Float32Array.from([0.9, 0.1, 0.6]);
    const p2 = Float32Array.from([0.7, 0.3, 0.2]);
    const p3 = Float32Array.from([0.1, 0.8, 0.7]);
    const plan = {
      members: [0.5, 0.5, 0.5].map((t) => ({ name: '', thresholds: new Float64Array(C).fill(t), valMacroF1: null, valRows: 0, source: 'default' as const })),
      thresholds: new Float64Array(C).fill(0.5),
      source: 'packaged' as const,
      valMacroF1: null,
      valRows: 0,
      note: '',
    };
    const mean = ensembleTest([p1, p2, p3], plan, settings(), C);
    expect(Array.from(mean.probs).map((v) => +v.toFixed(6))).toEqual([0.566667, 0.4, 0.5]);
    expect(Array.from(mean.labels)).toEqual([1, 0, 0]);
    const vote = ensembleTest([p1, p2, p3], plan, settings({ method: 'vote' }), C);
    expect(Array.from(vote.labels)).toEqual([1, 0, 1]);
  });
});
