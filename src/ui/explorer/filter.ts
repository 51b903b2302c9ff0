/**
 * The Explorer's sample filter: by split, by true classes (any or all of the selected ones), and,
 * while a run's predictions are chosen, by predicted class, by agreement with the truth and by
 * confidence. While any prediction filter is on, samples without a prediction are hidden.
 */
import { isPredicted } from '../../core/metrics';
import { confidenceOf, predictionTone, type Predictions } from './samplePredictions';

export type SplitFilter = 'all' | 'train' | 'test';
export type ClassMatch = 'any' | 'all';
/** 'errors': an extra or a missed label (or both); 'correct': predicted labels equal the true ones */
export type Agreement = 'any' | 'errors' | 'correct';

export interface SampleFilter {
  split: SplitFilter;
  /** selected true class ids; empty means no class filter */
  classes: readonly number[];
  match: ClassMatch;
  /** samples whose prediction includes this class (p > its threshold), or null */
  predicted: number | null;
  agreement: Agreement;
  /** [low, high], inclusive: the predicted class's probability when one is chosen, else the sample's highest probability */
  confidence: readonly [number, number];
}

export const NO_FILTER: SampleFilter = { split: 'all', classes: [], match: 'any', predicted: null, agreement: 'any', confidence: [0, 1] };

interface FilterSample {
  id: string;
  split: string;
  labels: readonly number[];
}

/** Whether a prediction filter (predicted class, agreement, confidence) is set. */
export function predictionFilterOn(f: SampleFilter): boolean {
  const [lo, hi] = confidenceRange(f);
  return f.predicted !== null || f.agreement !== 'any' || lo > 0 || hi < 1;
}

/** The confidence range, low end first: a range typed the wrong way round (0.9 to 0.5) means 0.5 to 0.9 (the view says so). */
export function confidenceRange(f: Pick<SampleFilter, 'confidence'>): [number, number] {
  const [a, b] = f.confidence;
  return a <= b ? [a, b] : [b, a];
}

export function matchesFilter(sample: FilterSample, f: SampleFilter, predictions: Predictions | null = null): boolean {
  if (f.split !== 'all' && sample.split !== f.split) return false;
  if (f.classes.length && !(f.match === 'all' ? f.classes.every((c) => sample.labels.includes(c)) : f.classes.some((c) => sample.labels.includes(c))))
    return false;
  if (!predictions || !predictionFilterOn(f)) return true;
  const row = predictions.rows.get(sample.id);
  if (row === undefined) return false;
  if (f.predicted !== null && !isPredicted(predictions.probs[row * predictions.numClasses + f.predicted], predictions.thresholds[f.predicted])) return false;
  if (f.agreement !== 'any') {
    const tone = predictionTone(predictions, row, sample);
    if (tone === 'unknown' || (f.agreement === 'correct') !== (tone === 'correct')) return false;
  }
  const conf = confidenceOf(predictions, row, f.predicted);
  const [lo, hi] = confidenceRange(f);
  return conf >= lo && conf <= hi;
}

/** The samples passing the filter, in their original order (prediction filters apply only with predictions given). */
export function filterSamples<T extends FilterSample>(samples: readonly T[], f: SampleFilter, predictions: Predictions | null = null): T[] {
  if (f.split === 'all' && !f.classes.length && !(predictions && predictionFilterOn(f))) return samples.slice();
  return samples.filter((s) => matchesFilter(s, f, predictions));
}

/** '1,234 of 31,072 samples' */
export function countText(shown: number, total: number): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `${fmt(shown)} of ${fmt(total)} sample${total === 1 ? '' : 's'}`;
}
