/**
 * Validation splits of multilabel data (docs/domain.md §8): iterative stratification (Sechidis,
 * Tsoumakas & Vlahavas, ECML PKDD 2011) as the `iterative-stratification` package's
 * MultilabelStratifiedKFold(shuffle=True) does it, K folds or a hold-out fraction, seeded; the
 * label-distribution quality measure LD; and a plain random split for comparison.
 *
 * The algorithm, on rows in a seeded random order:
 * 1. desired fold sizes c_i = r_i·n, desired per-label counts c_i^j = r_i·|D^j| (floats);
 * 2. while rows remain: take the label l with the fewest (> 0) remaining rows, ties at random; for each
 *    remaining row with l, in order, pick the fold with the largest c_i^l, ties by the largest c_i, then
 *    at random; assign it and decrement c_fold^j for each of its labels j, and c_fold;
 * 3. rows without labels (none in train.csv) go one by one to the fold with the largest c_i, ties at random.
 * Work is O(total labels + folds · labels): 31,072 rows split in milliseconds.
 *
 * Folds are numbered 0..k−1. For a hold-out split, fold 0 is the hold-out part (fraction f) and fold 1
 * the training part, so "validate on fold 0" means the same thing for K-fold and hold-out splits.
 */
import { NUM_CLASSES } from './labels';
import { Rng } from './rng';

export type LabelSets = readonly (readonly number[])[];

function checkLabels(labelSets: LabelSets, numClasses: number): void {
  labelSets.forEach((labels, r) => {
    for (const c of labels)
      if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new RangeError(`row ${r}: label ${c} is not a class id 0..${numClasses - 1}`);
  });
}

/** The indices i of `values` (restricted to `among`, if given) with the maximum value. */
function argmaxAll(values: Float64Array, among?: number[]): number[] {
  const idx = among ?? Array.from(values, (_, i) => i);
  let best = -Infinity;
  let winners: number[] = [];
  for (const i of idx) {
    if (values[i] > best) {
      best = values[i];
      winners = [i];
    } else if (values[i] === best) winners.push(i);
  }
  return winners;
}

/**
 * Iterative stratification into folds with the given ratios (summing to 1). Returns the fold of each row.
 * Seeded: the same labels, ratios and seed give the same folds.
 */
export function iterativeStratification(labelSets: LabelSets, ratios: readonly number[], seed: number | string, numClasses = NUM_CLASSES): Int32Array {
  const n = labelSets.length;
  const k = ratios.length;
  if (k < 2) throw new RangeError(`need at least 2 folds, got ${k}`);
  if (ratios.some((r) => !(r > 0)) || Math.abs(ratios.reduce((s, r) => s + r, 0) - 1) > 1e-9)
    throw new RangeError(`fold ratios must be > 0 and sum to 1, got ${ratios.join(', ')}`);
  checkLabels(labelSets, numClasses);
  const rng = new Rng(seed);
  // process rows in a random order, as MultilabelStratifiedKFold(shuffle=True)
  const order = rng.permutation(n);

  const totals = new Float64Array(numClasses);
  for (const labels of labelSets) for (const c of new Set(labels)) totals[c]++;
  const cFolds = Float64Array.from(ratios, (r) => r * n);
  const cFoldLabels = Array.from({ length: numClasses }, (_, j) => Float64Array.from(ratios, (r) => r * totals[j])); // [label][fold]
  const remaining = Float64Array.from(totals);

  // rows of each label, in processing order
  const rowsOf: number[][] = Array.from({ length: numClasses }, () => []);
  const uniq: number[][] = new Array(n);
  for (let pos = 0; pos < n; pos++) {
    const row = order[pos];
    uniq[row] = [...new Set(labelSets[row])];
    for (const c of uniq[row]) rowsOf[c].push(row);
  }

  const fold = new Int32Array(n).fill(-1);
  const assign = (row: number, f: number) => {
    fold[row] = f;
    cFolds[f]--;
    for (const j of uniq[row]) {
      cFoldLabels[j][f]--;
      remaining[j]--;
    }
  };

  for (;;) {
    // the label with the fewest (> 0) remaining rows, ties at random
    let min = Infinity;
    let candidates: number[] = [];
    for (let j = 0; j < numClasses; j++) {
      const r = remaining[j];
      if (r <= 0) continue;
      if (r < min) {
        min = r;
        candidates = [j];
      } else if (r === min) candidates.push(j);
    }
    if (candidates.length === 0) break;
    const l = candidates.length > 1 ? rng.choice(candidates) : candidates[0];
    for (const row of rowsOf[l]) {
      if (fold[row] !== -1) continue;
      let best = argmaxAll(cFoldLabels[l]);
      if (best.length > 1) best = argmaxAll(cFolds, best);
      assign(row, best.length > 1 ? rng.choice(best) : best[0]);
    }
  }
  // rows without labels
  for (let pos = 0; pos < n; pos++) {
    const row = order[pos];
    if (fold[row] !== -1) continue;
    const best = argmaxAll(cFolds);
    assign(row, best.length > 1 ? rng.choice(best) : best[0]);
  }
  return fold;
}

/** K stratified folds (0..k−1) of about n/k rows each. */
export function stratifiedKFold(labelSets: LabelSets, k: number, seed: number | string, numClasses = NUM_CLASSES): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${k}`);
  if (k > labelSets.length) throw new RangeError(`${k} folds for ${labelSets.length} rows`);
  return iterativeStratification(labelSets, new Array(k).fill(1 / k), seed, numClasses);
}

/**
 * A stratified hold-out split: fold 0 is the hold-out part with ceil(f·n) desired rows (as scikit-learn's
 * test_size), fold 1 the rest.
 */
export function stratifiedHoldout(labelSets: LabelSets, fraction: number, seed: number | string, numClasses = NUM_CLASSES): Int32Array {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`hold-out fraction must be in (0, 1), got ${fraction}`);
  const n = labelSets.length;
  const nTest = Math.ceil(fraction * n);
  if (nTest >= n) throw new RangeError(`a hold-out of ${fraction} leaves no training rows out of ${n}`);
  return iterativeStratification(labelSets, [nTest / n, (n - nTest) / n], seed, numClasses);
}

/** A plain random K-fold split (equal sizes ±1), for comparison. */
export function randomKFold(n: number, k: number, seed: number | string): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${k}`);
  const perm = new Rng(seed).permutation(n);
  const fold = new Int32Array(n);
  for (let i = 0; i < n; i++) fold[perm[i]] = i % k;
  return fold;
}

export interface FoldStats {
  k: number;
  /** rows per fold */
  sizes: Int32Array;
  /** positives of each class in each fold, row-major [fold × class] */
  classCounts: Int32Array;
  /** positives per class over all rows */
  totals: Int32Array;
}

export function foldStats(labelSets: LabelSets, folds: ArrayLike<number>, k: number, numClasses = NUM_CLASSES): FoldStats {
  if (folds.length !== labelSets.length) throw new RangeError(`${folds.length} fold numbers for ${labelSets.length} rows`);
  const sizes = new Int32Array(k);
  const classCounts = new Int32Array(k * numClasses);
  const totals = new Int32Array(numClasses);
  labelSets.forEach((labels, r) => {
    const f = folds[r];
    if (!(Number.isInteger(f) && f >= 0 && f < k)) throw new RangeError(`row ${r}: fold ${f} is not in 0..${k - 1}`);
    sizes[f]++;
    for (const c of new Set(labels)) {
      classCounts[f * numClasses + c]++;
      totals[c]++;
    }
  });
  return { k, sizes, classCounts, totals };
}

/** Positives of class c in each fold. */
export function classSpread(stats: FoldStats, c: number, numClasses = NUM_CLASSES): number[] {
  return Array.from({ length: stats.k }, (_, f) => stats.classCounts[f * numClasses + c]);
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 0 : Infinity) : a / b);

/**
 * Label distribution LD = (1/q) Σ_j (1/k) Σ_i | S_i^j/(|S_i|−S_i^j) − D^j/(|D|−D^j) | over the q classes
 * (Sechidis et al. 2011): 0 for a perfect split; lower is better.
 */
export function labelDistribution(labelSets: LabelSets, folds: ArrayLike<number>, k: number, numClasses = NUM_CLASSES): number {
  return labelDistributionOf(foldStats(labelSets, folds, k, numClasses), labelSets.length, numClasses);
}

export function labelDistributionOf(stats: FoldStats, n: number, numClasses = NUM_CLASSES): number {
  let sum = 0;
  for (let j = 0; j < numClasses; j++) {
    const d = ratio(stats.totals[j], n - stats.totals[j]);
    let inner = 0;
    for (let i = 0; i < stats.k; i++) {
      const s = stats.classCounts[i * numClasses + j];
      inner += Math.abs(ratio(s, stats.sizes[i] - s) - d);
    }
    sum += inner / stats.k;
  }
  return sum / numClasses;
}
