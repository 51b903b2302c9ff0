/**
 * Which classes the views mark as rare, from the real train prevalence (labels.ts):
 * 'rare' = the literature's rare classes (prevalence < 0.5 %: 8, 9, 10, 15, 27),
 * 'low'  = the other classes under 1 % prevalence (17 Mitotic spindle, 20 Lipid droplets),
 * 'common' = the rest.
 */
import { NUM_CLASSES, RARE_CLASSES, TRAIN_COUNTS, TRAIN_IMAGES } from '../../core/labels';

export type Rarity = 'rare' | 'low' | 'common';

/** Fraction of train images carrying each class (TRAIN_COUNTS / TRAIN_IMAGES). */
export const TRAIN_PREVALENCE: readonly number[] = TRAIN_COUNTS.map((n) => n / TRAIN_IMAGES);

export const LOW_PREVALENCE = 0.01;

export function rarity(c: number): Rarity {
  if (RARE_CLASSES.includes(c)) return 'rare';
  return (TRAIN_PREVALENCE[c] ?? 1) < LOW_PREVALENCE ? 'low' : 'common';
}

/** Classes that are rare or under 1 % prevalence, ascending. */
export const UNDER_ONE_PERCENT: readonly number[] = Array.from({ length: NUM_CLASSES }, (_, c) => c).filter((c) => rarity(c) !== 'common');

/** Fraction of rows positive for each class in a 0/1 truth matrix [rows × numClasses]. */
export function prevalence(truth: Uint8Array, numClasses: number): Float64Array {
  const rows = truth.length / numClasses;
  const out = new Float64Array(numClasses);
  for (let i = 0; i < truth.length; i++) if (truth[i]) out[i % numClasses]++;
  if (rows > 0) for (let c = 0; c < numClasses; c++) out[c] /= rows;
  return out;
}
