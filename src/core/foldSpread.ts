/**
 * Spread of per-class thresholds across K folds (foldThresholds[k][c]): per-class thresholds found
 * on one validation fold overfit rare classes, and their spread across folds shows by how much.
 */

export interface Spread {
  min: number;
  max: number;
  mean: number;
  /** sample standard deviation (K − 1 in the denominator); 0 for one fold */
  sd: number;
}

export function foldSpread(foldThresholds: readonly (readonly number[])[], numClasses: number): Spread[] {
  if (foldThresholds.length === 0) throw new RangeError('no folds');
  foldThresholds.forEach((t, k) => {
    if (t.length !== numClasses) throw new RangeError(`fold ${k} has ${t.length} thresholds, expected ${numClasses}`);
  });
  const K = foldThresholds.length;
  return Array.from({ length: numClasses }, (_, c) => {
    let min = Infinity,
      max = -Infinity,
      sum = 0;
    for (const t of foldThresholds) {
      min = Math.min(min, t[c]);
      max = Math.max(max, t[c]);
      sum += t[c];
    }
    const mean = sum / K;
    let ss = 0;
    for (const t of foldThresholds) ss += (t[c] - mean) ** 2;
    return { min, max, mean, sd: K > 1 ? Math.sqrt(ss / (K - 1)) : 0 };
  });
}
