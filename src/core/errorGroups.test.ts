import { describe, expect, it } from 'vitest';
import { allErrorGroups, errorGroups, errorListCsv } from './errorGroups';
import { CLASS_NAMES, NUM_CLASSES } from './labels';
import { countsAtThresholds } from './metrics';
import { createRng } from './rng';

/** 300 rows × 28 classes: truth at each class's own rate, probabilities correlated with it, some exactly on a grid of thresholds. */
function data(rows: number, seed: number) {
  const rng = createRng(seed);
  const probs = new Float32Array(rows * NUM_CLASSES);
  const truth = new Uint8Array(rows * NUM_CLASSES);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < NUM_CLASSES; c++) {
      const i = r * NUM_CLASSES + c;
      truth[i] = rng.next() < 0.03 + c / 60 ? 1 : 0;
      // a tenth of the values sit on the 0.1 grid, so `p > t` at t = p is exercised
      probs[i] = rng.next() < 0.1 ? Math.round(rng.next() * 10) / 10 : Math.min(1, Math.max(0, 0.35 * truth[i] + 0.65 * rng.next()));
    }
  const ids = Array.from({ length: rows }, (_, r) => `id-${r}`);
  return { probs, truth, ids };
}

describe('error groups', () => {
  const { probs, truth, ids } = data(300, 7);
  const perClass = (t: number) => Array.from({ length: NUM_CLASSES }, (_, c) => Math.min(0.95, t + c / 200));

  it('have the sizes of the evaluation counts (countsAtThresholds) for every class at several thresholds', () => {
    for (const t of [0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1]) {
      for (const thresholds of [new Array(NUM_CLASSES).fill(t), perClass(t)]) {
        const counts = countsAtThresholds(truth, probs, thresholds);
        const groups = allErrorGroups(probs, truth, ids, thresholds);
        for (let c = 0; c < NUM_CLASSES; c++) {
          expect([groups[c].tp.length, groups[c].fp.length, groups[c].fn.length], `class ${c} at t=${thresholds[c]}`).toEqual([
            counts.tp[c],
            counts.fp[c],
            counts.fn[c],
          ]);
        }
      }
    }
  });

  it('puts each row in the right group with its id and probability', () => {
    const g = errorGroups(probs, truth, ids, 5, 0.4);
    for (const e of g.tp) expect([truth[e.row * NUM_CLASSES + 5], e.probability > 0.4, e.id]).toEqual([1, true, ids[e.row]]);
    for (const e of g.fp) expect([truth[e.row * NUM_CLASSES + 5], e.probability > 0.4]).toEqual([0, true]);
    for (const e of g.fn) expect([truth[e.row * NUM_CLASSES + 5], e.probability <= 0.4]).toEqual([1, true]);
    for (const e of [...g.tp, ...g.fp, ...g.fn]) expect(e.probability).toBe(probs[e.row * NUM_CLASSES + 5]);
    expect(g.cls).toBe(5);
    expect(g.threshold).toBe(0.4);
  });

  it('sorts the worst mistakes first: FP and TP by probability descending, FN ascending, ties in row order', () => {
    const g = errorGroups(probs, truth, ids, 20, 0.3);
    expect(g.fp.length).toBeGreaterThan(2);
    expect(g.fn.length).toBeGreaterThan(2);
    const ordered = (list: { probability: number; row: number }[], dir: 1 | -1) =>
      list.every(
        (e, i) => i === 0 || dir * (e.probability - list[i - 1].probability) > 0 || (e.probability === list[i - 1].probability && e.row > list[i - 1].row),
      );
    expect(ordered(g.tp, -1)).toBe(true);
    expect(ordered(g.fp, -1)).toBe(true);
    expect(ordered(g.fn, 1)).toBe(true);
  });

  it('compares in float32 as the table does: p = 0.2 at t = 0.2 is not predicted', () => {
    const p = new Float32Array(NUM_CLASSES).fill(0.2);
    const y = new Uint8Array(NUM_CLASSES).fill(1);
    const g = errorGroups(p, y, ['a'], 0, 0.2);
    expect([g.tp.length, g.fn.length]).toEqual([0, 1]);
  });

  it('names a wrong shape, class or threshold count', () => {
    expect(() => errorGroups(probs, truth, ids.slice(1), 0, 0.5)).toThrow(/for 299 ids × 28 classes/);
    expect(() => errorGroups(probs, truth, ids, 28, 0.5)).toThrow(/class 28 is not a class id/);
    expect(() => allErrorGroups(probs, truth, ids, [0.5])).toThrow(/1 thresholds for 28 classes/);
  });
});

describe('error list CSV', () => {
  it('is Id,class,kind,probability with the class name, one line per group row: TP, FP, FN in group order', () => {
    const probs = new Float32Array(3 * NUM_CLASSES);
    const truth = new Uint8Array(3 * NUM_CLASSES);
    // class 27 (Rods & rings): row 0 TP 0.9, row 1 FP 0.75, row 2 FN 0.125
    [0.9, 0.75, 0.125].forEach((p, r) => (probs[r * NUM_CLASSES + 27] = p));
    truth[0 * NUM_CLASSES + 27] = 1;
    truth[2 * NUM_CLASSES + 27] = 1;
    const g = errorGroups(probs, truth, ['a', 'b', 'c'], 27, 0.5);
    expect(errorListCsv([g])).toBe(
      `Id,class,kind,probability\na,${CLASS_NAMES[27]},TP,0.899999976\nb,${CLASS_NAMES[27]},FP,0.75\nc,${CLASS_NAMES[27]},FN,0.125\n`,
    );
  });

  it('for all classes has one line per TP, FP and FN of the counts', () => {
    const { probs, truth, ids } = data(120, 3);
    const t = new Array(NUM_CLASSES).fill(0.45);
    const counts = countsAtThresholds(truth, probs, t);
    const lines = errorListCsv(allErrorGroups(probs, truth, ids, t))
      .trimEnd()
      .split('\n');
    const sum = (a: Int32Array) => a.reduce((s, v) => s + v, 0);
    expect(lines[0]).toBe('Id,class,kind,probability');
    expect(lines.length - 1).toBe(sum(counts.tp) + sum(counts.fp) + sum(counts.fn));
    for (const l of lines.slice(1)) expect(l).toMatch(/^id-\d+,[A-Za-z &]+,(TP|FP|FN),[\d.e-]+$/);
  });
});
