// A K-fold run group: out-of-fold coverage, thresholds fitted out of fold and cross-fitted, and the seed's comparison.
import { describe, expect, it } from 'vitest';
import { meanProbabilities, voteLabels } from './ensemble';
import { bestGroupMethod, evaluateGroup, groupComparison, groupTestLabels, parseGroupMethod, type FoldPredictions } from './foldGroup';
import { countsAtThresholds, countsFromMatrices, f1Report } from './metrics';
import { stratifiedKFold } from './split';
import { chooseThresholds, predictLabels } from './thresholds';
import { Rng } from './rng';

const C = 4;

/** A constructed K-fold group: labels, a stratified split, and K "models", each a seeded function of (model, id). */
function constructGroup(n: number, K: number, seed: number, testN = 0) {
  const rng = new Rng(seed);
  const ids = Array.from({ length: n }, (_, i) => `img${String(i).padStart(3, '0')}`);
  const labelSets = ids.map(() => {
    const l = [Math.floor(rng.next() * C)];
    if (rng.next() < 0.3) l.push(Math.floor(rng.next() * C));
    return [...new Set(l)].sort();
  });
  const assignment = stratifiedKFold(labelSets, K, seed, C);
  const truthOf = (labels: readonly number[]) => Uint8Array.from({ length: C }, (_, c) => (labels.includes(c) ? 1 : 0));
  // model m's probability for an image: signal + model-specific noise; class 0's low digits encode m so a test can tell who predicted
  const modelProbs = (m: number, labels: readonly number[], key: number) =>
    Float32Array.from({ length: C }, (_, c) => {
      const h = Math.sin(key * 12.9898 + c * 78.233 + m * 37.719) * 43758.5453;
      const noise = h - Math.floor(h);
      const p = 0.55 * (labels.includes(c) ? 1 : 0) + 0.4 * noise;
      return c === 0 ? Math.floor(p * 100) / 100 + (m + 1) / 1000 : p;
    });
  const trainedOn = Array.from({ length: K }, (_, m) => new Set(ids.filter((_, i) => assignment[i] !== m)));
  const testLabels = Array.from({ length: testN }, () => [Math.floor(rng.next() * C)]);
  const testIds = testLabels.map((_, i) => `test${i}`);
  const folds: FoldPredictions[] = Array.from({ length: K }, (_, m) => {
    const rows = ids.map((_, i) => i).filter((i) => assignment[i] === m);
    const valProbs = new Float32Array(rows.length * C),
      valTruth = new Uint8Array(rows.length * C);
    rows.forEach((i, r) => {
      valProbs.set(modelProbs(m, labelSets[i], i), r * C);
      valTruth.set(truthOf(labelSets[i]), r * C);
    });
    const testProbs = new Float32Array(testN * C);
    // each model lists the test ids in its own (rotated) order: the group aligns them
    const order = testIds.map((_, i) => (i + m) % Math.max(testN, 1));
    order.forEach((t, r) => testProbs.set(modelProbs(m, testLabels[t], 1000 + t), r * C));
    return {
      fold: m,
      name: `run f${m}`,
      valIds: rows.map((i) => ids[i]),
      valProbs,
      valTruth,
      ...(testN ? { testIds: order.map((t) => testIds[t]), testProbs } : {}),
    };
  });
  const testTruth = new Uint8Array(testN * C);
  testLabels.forEach((l, i) => testTruth.set(truthOf(l), i * C));
  return { ids, labelSets, assignment, trainedOn, folds, testIds, testTruth };
}

describe('fold group', () => {
  it('out-of-fold predictions cover every training image exactly once, each by the model that did not train on it', () => {
    const K = 5;
    const g = constructGroup(120, K, 3);
    // the folds are given shuffled and the OOF rows are asked for in the training set's order
    const shuffled = [g.folds[3], g.folds[0], g.folds[4], g.folds[1], g.folds[2]];
    const ev = evaluateGroup(shuffled, { order: g.ids, numClasses: C });
    expect(ev.ids).toEqual(g.ids);
    expect(new Set(ev.ids).size).toBe(g.ids.length);
    // every model predicted exactly the images of its held-out fold: sizes add up to the training set
    expect(shuffled.reduce((s, f) => s + f.valIds.length, 0)).toBe(g.ids.length);
    ev.ids.forEach((id, r) => {
      const model = shuffled[ev.fold[r]].fold;
      expect(g.trainedOn[model].has(id)).toBe(false);
      // every other model trained on it
      for (let m = 0; m < K; m++) if (m !== model) expect(g.trainedOn[m].has(id)).toBe(true);
      // and the numbers are that model's: class 0's low digits encode the model
      expect(Math.round((ev.probs[r * C] * 1000) % 10)).toBe(model + 1);
      expect(Array.from(ev.truth.subarray(r * C, r * C + C))).toEqual(Array.from({ length: C }, (_, c) => (g.labelSets[r].includes(c) ? 1 : 0)));
    });
    // overlapping or incomplete folds are refused with the id named
    const overlap = { ...g.folds[1], name: 'run x', valIds: [g.folds[0].valIds[0], ...g.folds[1].valIds.slice(1)] };
    expect(() => evaluateGroup([g.folds[0], overlap, ...g.folds.slice(2)], { numClasses: C })).toThrow(
      `id ${g.folds[0].valIds[0]} is in the validation predictions of both run f0 and run x: folds must not overlap`,
    );
    expect(() => evaluateGroup(g.folds.slice(0, 4), { order: g.ids, numClasses: C })).toThrow(/id\(s\) have no out-of-fold prediction/);
  });

  it('fits every mode out of fold, each fold its own per-class thresholds, and cross-fits global and per-class', () => {
    const g = constructGroup(150, 3, 8);
    const ev = evaluateGroup(g.folds, { numClasses: C });
    for (const mode of ['global', 'per-class', 'lipton'] as const) {
      const want = chooseThresholds(ev.truth, ev.probs, mode, { numClasses: C });
      expect(Array.from(ev.thresholds[mode].thresholds)).toEqual(Array.from(want.thresholds));
      expect(ev.macroF1[mode]).toBe(want.report.macroF1);
    }
    // proportion's target rates: the training set's prevalence, so the OOF predicted rate matches it
    const prop = ev.thresholds.proportion.thresholds;
    for (let c = 0; c < C; c++) {
      let pos = 0,
        predicted = 0;
      for (let r = 0; r < ev.ids.length; r++) {
        pos += ev.truth[r * C + c];
        predicted += ev.probs[r * C + c] > Math.fround(prop[c]) ? 1 : 0;
      }
      expect(predicted).toBe(pos);
    }
    g.folds.forEach((f, k) =>
      expect(ev.foldThresholds[k]).toEqual(Array.from(chooseThresholds(f.valTruth, f.valProbs, 'per-class', { numClasses: C }).thresholds)),
    );
    // in sample, per-class thresholds are never below one global threshold
    expect(ev.macroF1['per-class']).toBeGreaterThanOrEqual(ev.macroF1.global);
    // cross-fitted by hand: fold k at the thresholds of the other folds' OOF rows
    for (const mode of ['global', 'per-class'] as const) {
      const pred = new Uint8Array(ev.truth.length);
      g.folds.forEach((f, k) => {
        const others = g.folds.filter((_, j) => j !== k);
        const truth = new Uint8Array(others.flatMap((o) => Array.from(o.valTruth)));
        const probs = new Float32Array(others.flatMap((o) => Array.from(o.valProbs)));
        const t = chooseThresholds(truth, probs, mode, { numClasses: C }).thresholds;
        expect(ev.crossFitThresholds[mode][k]).toEqual(Array.from(t));
        const p = predictLabels(f.valProbs, t, { numClasses: C });
        f.valIds.forEach((id, i) => pred.set(p.subarray(i * C, i * C + C), ev.ids.indexOf(id) * C));
      });
      expect(ev.crossFitMacroF1[mode]).toBe(f1Report(countsFromMatrices(ev.truth, pred, C)).macroF1);
      expect(ev.crossFitMacroF1[mode]).toBeLessThanOrEqual(ev.macroF1[mode] + 1e-12);
    }
  });

  it('compares mean + global, mean + per-class, vote and each fold model on OOF and test as documented', () => {
    const K = 3;
    const g = constructGroup(150, K, 21, 40);
    const ev = evaluateGroup(g.folds, { numClasses: C });
    const rows = groupComparison(g.folds, ev, { testTruth: { ids: g.testIds, truth: g.testTruth } });
    expect(rows.map((r) => r.key)).toEqual(['mean-global', 'mean-per-class', 'vote', 'fold-0', 'fold-1', 'fold-2']);
    const row = (key: string) => rows.find((r) => r.key === key)!;
    expect(row('mean-global')).toMatchObject({ oofMacroF1: ev.crossFitMacroF1.global, oofFittedMacroF1: ev.macroF1.global, oofOptimistic: false });
    expect(row('mean-per-class')).toMatchObject({ oofMacroF1: ev.crossFitMacroF1['per-class'], oofFittedMacroF1: ev.macroF1['per-class'] });

    // test: members aligned to the first fold's test ids (each model listed them in its own order)
    const ids = [...g.folds[0].testIds!];
    const members = g.folds.map((f) => {
      const m = new Float32Array(ids.length * C);
      ids.forEach((id, r) => {
        const i = f.testIds!.indexOf(id);
        m.set(f.testProbs!.subarray(i * C, i * C + C), r * C);
      });
      return m;
    });
    const truth = new Uint8Array(ids.length * C);
    ids.forEach((id, r) => truth.set(g.testTruth.subarray(g.testIds.indexOf(id) * C, g.testIds.indexOf(id) * C + C), r * C));
    const mean = meanProbabilities(members);
    expect(row('mean-global').testMacroF1).toBe(f1Report(countsAtThresholds(truth, mean, ev.thresholds.global.thresholds, C)).macroF1);
    expect(row('mean-per-class').testMacroF1).toBe(f1Report(countsAtThresholds(truth, mean, ev.thresholds['per-class'].thresholds, C)).macroF1);
    const vote = voteLabels(members, ev.foldThresholds, { numClasses: C });
    expect(row('vote').testMacroF1).toBe(f1Report(countsFromMatrices(truth, vote, C)).macroF1);
    expect(groupTestLabels(g.folds, ev, 'vote')).toEqual({ ids, labels: vote });
    expect(groupTestLabels(g.folds, ev, 'mean-global').labels).toEqual(predictLabels(mean, ev.thresholds.global.thresholds, { numClasses: C }));

    // single fold k: its own held-out fold at its own thresholds; vote OOF is those pooled (one model per image)
    const pooled = new Uint8Array(ev.truth.length);
    g.folds.forEach((f, k) => {
      const p = predictLabels(f.valProbs, ev.foldThresholds[k], { numClasses: C });
      expect(row(`fold-${k}`)).toMatchObject({
        fold: k,
        method: 'single',
        oofOptimistic: true,
        oofMacroF1: f1Report(countsFromMatrices(f.valTruth, p, C)).macroF1,
        testMacroF1: f1Report(countsAtThresholds(truth, members[k], ev.foldThresholds[k], C)).macroF1,
      });
      f.valIds.forEach((id, i) => pooled.set(p.subarray(i * C, i * C + C), ev.ids.indexOf(id) * C));
    });
    expect(row('vote')).toMatchObject({ oofOptimistic: true, oofMacroF1: f1Report(countsFromMatrices(ev.truth, pooled, C)).macroF1 });

    // no test truth: test scores are null; the default method is the better cross-fitted mean rule
    const noTest = groupComparison(g.folds, ev);
    expect(noTest.every((r) => r.testMacroF1 === null)).toBe(true);
    expect(bestGroupMethod(noTest)).toBe(ev.crossFitMacroF1['per-class'] > ev.crossFitMacroF1.global ? 'mean-per-class' : 'mean-global');
    expect(parseGroupMethod('vote')).toBe('vote');
    expect(() => parseGroupMethod('median')).toThrow("method 'median' is not one of mean-global, mean-per-class, vote");
    const withoutTest = g.folds.map((f) => ({ ...f, testIds: undefined, testProbs: undefined }));
    expect(() => groupTestLabels(withoutTest, ev, 'vote')).toThrow('run f0 has no test predictions');
  });
});
