import { describe, expect, it } from 'vitest';
import { countsAtThresholds, f1Report, type EmptyClassRule } from '../../core/metrics';
import { mulberry32 as mulberry } from '../../core/rng';
import { operatingPointText, prCurve, thinCurve } from './prCurve';

/** Random validation predictions with ties (probabilities on a 0.05 grid) and a rare class. */
function sample(rows: number, numClasses: number, seed: number) {
  const rand = mulberry(seed);
  const truth = new Uint8Array(rows * numClasses),
    probs = new Float32Array(rows * numClasses);
  for (let i = 0; i < truth.length; i++) {
    const c = i % numClasses;
    truth[i] = rand() < (c === 2 ? 0.02 : 0.3) ? 1 : 0;
    probs[i] = Math.round(Math.min(1, Math.max(0, (truth[i] ? 0.6 : 0.35) + (rand() - 0.5) * 0.8)) * 20) / 20;
  }
  return { truth, probs };
}

describe('prCurve', () => {
  it('matches brute-force counts at every distinct threshold a slider can reach', () => {
    const K = 3,
      { truth, probs } = sample(400, K, 7);
    for (let c = 0; c < K; c++) {
      const curve = prCurve(truth, probs, K, c);
      const values = new Set<number>();
      for (let r = 0; r < 400; r++) values.add(probs[r * K + c]);
      const expected = [...values].sort((a, b) => b - a);
      if (expected[expected.length - 1] > 0) expected.push(0);
      expect(curve.map((p) => p.threshold)).toEqual(expected);
      for (const pt of curve) {
        const t = [1, 1, 1];
        t[c] = pt.threshold;
        const k = countsAtThresholds(truth, probs, t, K);
        expect([pt.tp, pt.fp, pt.fn]).toEqual([k.tp[c], k.fp[c], k.fn[c]]);
        const tp = k.tp[c],
          fp = k.fp[c],
          fn = k.fn[c];
        expect(pt.precision).toBeCloseTo(tp + fp ? tp / (tp + fp) : 0, 12);
        expect(pt.recall).toBeCloseTo(tp / (tp + fn), 12);
      }
    }
  });

  it('runs from nothing predicted (recall 0, precision 0 by zero_division=0) to everything predicted (recall 1, precision = prevalence)', () => {
    const truth = Uint8Array.from([1, 0, 1, 0]),
      probs = Float32Array.from([0.9, 0.2, 0.4, 0.6]);
    const curve = prCurve(truth, probs, 1, 0);
    expect(curve.map((p) => [p.threshold, p.precision, p.recall])).toEqual([
      [Math.fround(0.9), 0, 0],
      [Math.fround(0.6), 1, 0.5],
      [Math.fround(0.4), 0.5, 0.5],
      [Math.fround(0.2), 2 / 3, 1],
      [0, 0.5, 1],
    ]);
  });

  it('gives recall 0 to a class without positives', () => {
    const curve = prCurve(Uint8Array.from([0, 0]), Float32Array.from([0.3, 0.7]), 1, 0);
    expect(curve.every((p) => p.recall === 0)).toBe(true);
  });

  it("the caption's precision and recall are the class table's, for a class with nothing predicted, under every empty-class rule", () => {
    // class 0: two positives, nothing above t = 0.9; class 1: no positives and nothing predicted (empty)
    const truth = Uint8Array.from([1, 0, 1, 0, 0, 0]),
      probs = Float32Array.from([0.5, 0.1, 0.4, 0.2, 0.3, 0.1]);
    const counts = countsAtThresholds(truth, probs, [0.9, 0.9], 2);
    for (const rule of ['zero', 'one', 'skip'] as EmptyClassRule[]) {
      const table = f1Report(counts, rule).perClass;
      for (const c of [0, 1]) {
        const caption = operatingPointText(0.9, counts.tp[c], counts.fp[c], counts.fn[c], rule);
        const shown = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(3));
        expect(caption, `class ${c}, rule ${rule}`).toContain(`precision ${shown(table[c].precision)}, recall ${shown(table[c].recall)}`);
        expect(caption).toMatch(/ — nothing predicted$/);
        // the curve's point at this threshold is the same operating point
        const point = prCurve(truth, probs, 2, c, rule).find((p) => p.tp + p.fp === 0)!;
        expect([point.precision, point.recall]).toEqual([table[c].precision, table[c].recall]);
      }
    }
    expect(operatingPointText(0.9, 0, 0, 2)).toBe('At threshold 0.900: precision 0.000, recall 0.000 (TP 0, FP 0, FN 2) — nothing predicted');
  });

  it('rejects a class id out of range and mismatched shapes', () => {
    expect(() => prCurve(new Uint8Array(4), new Float32Array(4), 2, 2)).toThrow(/class 2/);
    expect(() => prCurve(new Uint8Array(4), new Float32Array(6), 2, 0)).toThrow(/rows × 2/);
  });

  it('thins a long curve but keeps every recall step of a rare class and both ends', () => {
    // 6,000 rows, 9 positives: the curve has 6,000 points but only 10 recall levels
    const rows = 6000,
      rand = mulberry(3);
    const truth = new Uint8Array(rows),
      probs = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      truth[r] = r % 667 === 0 ? 1 : 0;
      probs[r] = truth[r] ? 0.3 + 0.6 * rand() : 0.7 * rand();
    }
    const full = prCurve(truth, probs, 1, 0);
    const thin = thinCurve(full, 0.004, 600);
    expect(thin.length).toBeLessThanOrEqual(600);
    expect(thin.length).toBeLessThan(full.length / 5);
    expect(thin[0]).toBe(full[0]);
    expect(thin[thin.length - 1]).toBe(full[full.length - 1]);
    expect(new Set(thin.map((p) => p.recall))).toEqual(new Set(full.map((p) => p.recall)));
    // no kept neighbour pair jumps further than a dropped point would have allowed
    const maxJump = (pts: typeof full) => Math.max(...pts.slice(1).map((p, i) => Math.abs(p.recall - pts[i].recall)));
    expect(maxJump(thin)).toBeCloseTo(maxJump(full), 12);
    expect(thinCurve(full, 0.004, 50).length).toBe(50);
  });
});
