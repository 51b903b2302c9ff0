/**
 * Per-class weights from class counts, shared by the weighted losses (losses.ts) and weight-based
 * sampling (sampling.ts). docs/domain.md §6:
 *
 * - 'inverse-frequency': w_c = N/n_c (N images; 2.41 for class 0 … 2824.7 for class 27 on the real
 *   train.csv), normalised to mean 1 over the classes: w_c = (1/n_c) / mean_k(1/n_k). N cancels.
 *   On the real counts that is 0.0088 for class 0 … 10.31 for class 27.
 * - 'log-damped':  w_c = max(1, ln(mu · L / n_c)), L = Σ n_c labels (50,782), mu = 0.5 by default:
 *   1 for the common classes, 7.74 for class 27.
 * - 'vector':      the user's 28 numbers, as given.
 * A class with n_c = 0 (absent from a training fold) is counted as n_c = 1, so its weight stays finite.
 */
import { NUM_CLASSES, TRAIN_COUNTS } from './labels';

export type ClassWeightSpec = { mode: 'inverse-frequency' } | { mode: 'log-damped'; mu?: number } | { mode: 'vector'; values: number[] };

export const CLASS_WEIGHT_MODES = ['inverse-frequency', 'log-damped', 'vector'] as const;

function checkCounts(classCounts: ArrayLike<number>, numClasses: number): void {
  if (classCounts.length !== numClasses) throw new RangeError(`${classCounts.length} class counts for ${numClasses} classes`);
  for (let c = 0; c < numClasses; c++) {
    if (!(classCounts[c] >= 0)) throw new RangeError(`count of class ${c} is ${classCounts[c]}, expected ≥ 0`);
  }
}

/** Raw inverse frequency N/n_c (n_c = 0 counted as 1). */
export function inverseFrequency(classCounts: ArrayLike<number>, numImages: number): Float64Array {
  return Float64Array.from(classCounts, (n) => numImages / Math.max(1, n));
}

/** The weights a spec gives for these class counts (counts are only read by the count-based modes). */
export function classWeights(spec: ClassWeightSpec, classCounts: ArrayLike<number> = TRAIN_COUNTS, numClasses = NUM_CLASSES): Float64Array {
  switch (spec.mode) {
    case 'inverse-frequency': {
      checkCounts(classCounts, numClasses);
      const inv = Float64Array.from(classCounts, (n) => 1 / Math.max(1, n));
      const mean = inv.reduce((s, v) => s + v, 0) / numClasses;
      return inv.map((v) => v / mean);
    }
    case 'log-damped': {
      checkCounts(classCounts, numClasses);
      const mu = spec.mu ?? 0.5;
      if (!(mu > 0)) throw new RangeError(`log-damped mu must be > 0, got ${mu}`);
      let total = 0;
      for (let c = 0; c < numClasses; c++) total += classCounts[c];
      return Float64Array.from(classCounts, (n) => Math.max(1, Math.log((mu * total) / Math.max(1, n))));
    }
    case 'vector': {
      if (!Array.isArray(spec.values) || spec.values.length !== numClasses)
        throw new RangeError(`a weight vector needs ${numClasses} numbers, got ${Array.isArray(spec.values) ? spec.values.length : typeof spec.values}`);
      spec.values.forEach((v, c) => {
        if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`weight of class ${c} is ${v}, expected a finite number ≥ 0`);
      });
      return Float64Array.from(spec.values);
    }
    default:
      throw new RangeError(`class weight mode '${(spec as { mode: string }).mode}' is not one of ${CLASS_WEIGHT_MODES.join(', ')}`);
  }
}
