import { describe, expect, it } from 'vitest';
import fixture from './fixtures/multilabel-f1.json';
import { countsAtThresholds, labelMatrix, macroF1, classF1 } from './metrics';
import {
  chooseThresholds,
  ensureAtLeastOne,
  globalThreshold,
  gridCounts,
  parseThresholdMode,
  predictLabels,
  proportionThresholds,
  scoreThresholds,
  thresholdGrid,
} from './thresholds';

interface Search {
  global: { threshold: number; macroF1: number };
  perClass: { thresholds: number[]; bestF1: number[]; macroF1: number; informative: boolean[] };
  lipton: { thresholds: number[]; macroF1: number };
  proportion: { rates: number[]; thresholds: number[]; macroF1: number };
}
const fx = fixture as unknown as { truth: number[][]; probs: number[]; search: Search };
const truth = labelMatrix(fx.truth);
const probs = Float32Array.from(fx.probs);

describe('docs/domain.md §7 vector: y = [1,0,1,0], p = [.9,.2,.4,.6], grid 0.01', () => {
  const y = Uint8Array.from([1, 0, 1, 0]);
  const p = Float32Array.from([0.9, 0.2, 0.4, 0.6]);

  it('per-class search: best F1 0.8 at t = 0.20 (first argmax)', () => {
    const r = chooseThresholds(y, p, 'per-class', { step: 0.01, numClasses: 1 });
    expect(r.thresholds[0]).toBe(0.2);
    expect(r.report.macroF1).toBeCloseTo(0.8, 12);
  });

  it('F1 is 0.8 exactly for t in [0.20, 0.39] and lower elsewhere on the grid', () => {
    const grid = thresholdGrid(0.01);
    const g = gridCounts(y, p, grid, 1);
    grid.forEach((t, k) => {
      const f = classF1(g.tp[k], g.fp[k], 2 - g.tp[k]);
      if (t >= 0.2 - 1e-12 && t <= 0.39 + 1e-12) expect(f).toBeCloseTo(0.8, 12);
      else expect(f).toBeLessThan(0.8);
    });
  });

  it('Lipton: t* = F1*/2 = 0.4; global equals per-class for one class', () => {
    expect(chooseThresholds(y, p, 'lipton', { step: 0.01, numClasses: 1 }).thresholds[0]).toBeCloseTo(0.4, 12);
    expect(globalThreshold(y, p, { step: 0.01, numClasses: 1 })).toEqual({ threshold: 0.2, macroF1: expect.closeTo(0.8, 12) });
  });
});

describe('threshold searches against a numpy brute force (500 × 28, grid 0.001)', () => {
  it('global: the same threshold and macro F1, and no grid point scores higher', () => {
    const r = chooseThresholds(truth, probs, 'global');
    expect(r.thresholds[0]).toBe(fx.search.global.threshold);
    expect(new Set(r.thresholds).size).toBe(1);
    expect(r.report.macroF1).toBeCloseTo(fx.search.global.macroF1, 9);
    for (const t of thresholdGrid(0.01)) expect(macroF1(countsAtThresholds(truth, probs, t))).toBeLessThanOrEqual(r.report.macroF1 + 1e-12);
  });

  it('per-class: the same thresholds; each is the first argmax of its class F1', () => {
    const r = chooseThresholds(truth, probs, 'per-class');
    expect([...r.thresholds]).toEqual(fx.search.perClass.thresholds);
    expect(r.informative).toEqual(fx.search.perClass.informative);
    expect(r.report.macroF1).toBeCloseTo(fx.search.perClass.macroF1, 9);
    const f1At = (c: number, t: number) => {
      const k = countsAtThresholds(truth, probs, t);
      return classF1(k.tp[c], k.fp[c], k.fn[c]);
    };
    for (let c = 0; c < 28; c++) {
      if (!r.informative[c]) continue;
      expect(f1At(c, r.thresholds[c])).toBeCloseTo(fx.search.perClass.bestF1[c], 12);
      if (r.thresholds[c] > 0.001) expect(f1At(c, r.thresholds[c] - 0.001)).toBeLessThan(f1At(c, r.thresholds[c]));
    }
  });

  it('per-class: classes without held-out positives get the fallback (the global threshold, or the given one)', () => {
    const r = chooseThresholds(truth, probs, 'per-class');
    expect(r.informative[26]).toBe(false);
    expect(r.informative[27]).toBe(false);
    expect(r.thresholds[26]).toBe(fx.search.global.threshold);
    expect(chooseThresholds(truth, probs, 'per-class', { fallback: 0.5 }).thresholds[27]).toBe(0.5);
  });

  it('lipton: t_c = F1*_c / 2, the same as numpy', () => {
    const r = chooseThresholds(truth, probs, 'lipton');
    r.thresholds.forEach((t, c) => {
      expect(t).toBeCloseTo(fx.search.lipton.thresholds[c], 14);
      if (r.informative[c]) expect(t).toBeCloseTo(fx.search.perClass.bestF1[c] / 2, 14);
    });
    expect(r.report.macroF1).toBeCloseTo(fx.search.lipton.macroF1, 9);
  });

  it('proportion: the same thresholds as numpy and predicted positive rates equal to the targets', () => {
    const r = chooseThresholds(truth, probs, 'proportion', { rates: fx.search.proportion.rates });
    expect([...r.thresholds]).toEqual(fx.search.proportion.thresholds);
    expect(r.report.macroF1).toBeCloseTo(fx.search.proportion.macroF1, 9);
    const k = countsAtThresholds(truth, probs, r.thresholds);
    fx.search.proportion.rates.forEach((rate, c) => expect(k.tp[c] + k.fp[c]).toBe(Math.round(rate * 500)));
  });

  it('proportion needs rates, of the right length and in 0..1', () => {
    expect(() => chooseThresholds(truth, probs, 'proportion')).toThrow(/target rates/);
    expect(() => proportionThresholds(probs, [0.5])).toThrow(/1 target rates/);
    expect(() => proportionThresholds(probs, new Array(28).fill(1.5))).toThrow(/class 0/);
  });
});

describe('proportion matching on tie-free data', () => {
  it('hits every target count exactly, including 0 and all rows', () => {
    const n = 1000,
      C = 4;
    const p = new Float32Array(n * C);
    for (let i = 0; i < p.length; i++) p[i] = (i + 0.5) / p.length; // distinct values
    const rates = [0, 0.137, 0.5, 1];
    const t = proportionThresholds(p, rates, C);
    const pred = predictLabels(p, t, { numClasses: C });
    rates.forEach((rate, c) => {
      let count = 0;
      for (let r = 0; r < n; r++) count += pred[r * C + c];
      expect(count).toBe(Math.round(rate * n));
    });
  });
});

describe('at least one label', () => {
  it('switches on the argmax of empty rows only and leaves the others alone', () => {
    const p = Float32Array.from([0.1, 0.3, 0.2, /**/ 0.9, 0.1, 0.8, /**/ 0.05, 0.05, 0.04]);
    const plain = predictLabels(p, 0.5, { numClasses: 3 });
    expect([...plain]).toEqual([0, 0, 0, 1, 0, 1, 0, 0, 0]);
    const forced = predictLabels(p, 0.5, { numClasses: 3, atLeastOne: true });
    expect([...forced]).toEqual([0, 1, 0, 1, 0, 1, 1, 0, 0]);
    expect([...ensureAtLeastOne(plain.slice(), p, 3)]).toEqual([...forced]);
  });

  it('on the fixture every row gets a label and F1 is scored on the forced predictions', () => {
    const t = fx.search.global.threshold;
    const pred = predictLabels(probs, 0.9, { atLeastOne: true });
    for (let r = 0; r < 500; r++) expect(pred.subarray(r * 28, r * 28 + 28).some((v) => v === 1)).toBe(true);
    const plain = scoreThresholds(truth, probs, t);
    const forced = scoreThresholds(truth, probs, t, { atLeastOne: true });
    expect(plain.macroF1).toBeCloseTo(fx.search.global.macroF1, 9);
    expect(forced.macroF1).not.toBe(plain.macroF1);
  });
});

describe('grid and modes', () => {
  it('the grid is k/K inside (0, 1) and refuses steps that do not divide 1', () => {
    const g = thresholdGrid(0.01);
    expect(g.length).toBe(99);
    expect(g[0]).toBe(0.01);
    expect(g[19]).toBe(0.2);
    expect(g[98]).toBe(0.99);
    expect(thresholdGrid().length).toBe(999);
    expect(() => thresholdGrid(0.3)).toThrow(/divide 1/);
  });

  it('parseThresholdMode names the valid modes', () => {
    expect(parseThresholdMode('lipton')).toBe('lipton');
    expect(() => parseThresholdMode('best')).toThrow(/global, per-class, lipton, proportion/);
  });
});
