/**
 * Upsampling of the training fold (docs/domain.md §8): always applied after the split, to the training
 * rows only, so no validation image leaks into training. Each strategy maps the training fold's row
 * indices to the list of row indices one epoch visits (the loop shuffles that list per epoch).
 *
 * - none:             the rows as they are.
 * - rare-duplication: each row repeated 1 + Σ_{l ∈ labels} m_l times, with the public kernel's
 *                     m = {15:6, 8:4, 27:4, 9:3, 10:3, 17:2, 20:2, 24:2, 26:1}; on the full train.csv
 *                     31,072 → 33,409 rows. Deterministic.
 * - weighted:         `length` rows (default: as many as the fold has) drawn with replacement, row r with
 *                     probability ∝ max over its labels of a class weight (classWeights.ts), seeded.
 */
import { classWeights, type ClassWeightSpec } from './classWeights';
import { NUM_CLASSES } from './labels';
import { Rng } from './rng';
import type { LabelSets } from './split';

/** The public kernel's extra copies per rare class. */
export const RARE_MULTIPLIERS: Readonly<Record<number, number>> = Object.freeze({ 15: 6, 8: 4, 27: 4, 9: 3, 10: 3, 17: 2, 20: 2, 24: 2, 26: 1 });

export type SamplingSpec =
  | { kind: 'none' }
  | { kind: 'rare-duplication'; multipliers?: Record<number, number> }
  | { kind: 'weighted'; weights: ClassWeightSpec; length?: number; seed: number };

export interface SamplingContext {
  labelSets: LabelSets;
  /** positives per class in the training fold (for count-based weights); default: counted from the fold */
  classCounts?: ArrayLike<number>;
  numClasses?: number;
}

/** All row indices 0..n−1 (a whole label file as the training set). */
export function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** The rows of the given folds (e.g. every fold except the validation one). */
export function rowsInFolds(folds: ArrayLike<number>, keep: (fold: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < folds.length; i++) if (keep(folds[i])) out.push(i);
  return Int32Array.from(out);
}

/** Each row repeated 1 + Σ m_l over its labels (distinct labels), in the input order. */
export function rareDuplication(labelSets: LabelSets, rows: ArrayLike<number>, multipliers: Readonly<Record<number, number>> = RARE_MULTIPLIERS): Int32Array {
  for (const [c, m] of Object.entries(multipliers)) {
    if (!(Number.isInteger(m) && m >= 0)) throw new RangeError(`multiplier of class ${c} is ${m}, expected an integer ≥ 0`);
  }
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let copies = 1;
    for (const c of new Set(labelSets[r])) copies += multipliers[c] ?? 0;
    for (let k = 0; k < copies; k++) out.push(r);
  }
  return Int32Array.from(out);
}

/** Per-row sampling weight: the maximum class weight over the row's labels (0 for a row without labels). */
export function rowWeights(labelSets: LabelSets, rows: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: rows.length }, (_, i) => {
    let w = 0;
    for (const c of labelSets[rows[i]]) w = Math.max(w, weights[c]);
    return w;
  });
}

/** `length` rows drawn with replacement, row i with probability ∝ its weight (cumulative sums + binary search). */
export function weightedSample(rows: ArrayLike<number>, weights: ArrayLike<number>, length: number, seed: number | string): Int32Array {
  if (rows.length !== weights.length) throw new RangeError(`${weights.length} weights for ${rows.length} rows`);
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`sample length must be an integer ≥ 0, got ${length}`);
  const cum = new Float64Array(rows.length);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const w = weights[i];
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`weight of row ${rows[i]} is ${w}`);
    total += w;
    cum[i] = total;
  }
  if (!(total > 0)) throw new RangeError('all sampling weights are 0');
  const rng = new Rng(seed);
  const out = new Int32Array(length);
  for (let k = 0; k < length; k++) {
    const x = rng.next() * total;
    let lo = 0,
      hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    out[k] = rows[lo];
  }
  return out;
}

/** Positives per class among the given rows. */
export function countClasses(labelSets: LabelSets, rows: ArrayLike<number>, numClasses = NUM_CLASSES): Int32Array {
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < rows.length; i++) for (const c of new Set(labelSets[rows[i]])) counts[c]++;
  return counts;
}

/** The row indices one epoch visits under a sampling spec, from the training fold's rows. */
export function sampleRows(spec: SamplingSpec, rows: ArrayLike<number>, ctx: SamplingContext): Int32Array {
  switch (spec.kind) {
    case 'none':
      return Int32Array.from(rows);
    case 'rare-duplication':
      return rareDuplication(ctx.labelSets, rows, spec.multipliers ?? RARE_MULTIPLIERS);
    case 'weighted': {
      const numClasses = ctx.numClasses ?? NUM_CLASSES;
      const counts = ctx.classCounts ?? countClasses(ctx.labelSets, rows, numClasses);
      const w = classWeights(spec.weights, counts, numClasses);
      return weightedSample(rows, rowWeights(ctx.labelSets, rows, w), spec.length ?? rows.length, spec.seed);
    }
    default:
      throw new RangeError(`sampling kind '${(spec as { kind: string }).kind}' is not one of none, rare-duplication, weighted`);
  }
}
