/**
 * A run's predictions as the explorer sees them: probabilities by sample id (the run's validation
 * rows, plus its stored test prediction when there is one), the thresholds in force, and what they
 * make of each sample: its predicted labels, how they compare with its true labels, its confidence.
 * Pure: the explorer's filter (filter.ts) and its grid use these.
 */
import { isPredicted } from '../../core/metrics';

export interface Predictions {
  runId: string;
  runName: string;
  numClasses: number;
  /** rows × numClasses, row-major */
  probs: Float32Array;
  /** sample id → row of probs */
  rows: ReadonlyMap<string, number>;
  /** predict class c when p > thresholds[c] (float32, as the evaluation counts) */
  thresholds: readonly number[];
  /** whether test samples' labels are ground truth (the synthetic demo's test_labels.csv); train labels always are */
  testTruth: boolean;
}

/** A prediction's outcome against the truth: every label right, only extra labels, only missed ones, both, or no truth to compare with. */
export type PredictionTone = 'correct' | 'extra' | 'missed' | 'wrong' | 'unknown';

export const TONE_TEXT: Record<PredictionTone, string> = {
  correct: 'correct',
  extra: 'false positive (an extra label)',
  missed: 'missed (a true label not predicted)',
  wrong: 'false positive and missed',
  unknown: 'no truth to compare with',
};

/** One source of rows: sample ids and their probabilities (rows × numClasses). */
export interface PredictionRows {
  ids: readonly string[];
  probs: Float32Array;
}

/**
 * Joins sources (validation, then test) into one table; an id already given keeps its first row.
 * `ends[i]`: the row after source i's last (source i's rows are ends[i - 1] ≤ row < ends[i]).
 */
export function joinPredictionRows(sources: readonly PredictionRows[], numClasses: number): { probs: Float32Array; rows: Map<string, number>; ends: number[] } {
  const rows = new Map<string, number>();
  const take: [PredictionRows, number][] = [];
  const ends: number[] = [];
  for (const s of sources) {
    if (s.probs.length !== s.ids.length * numClasses) throw new RangeError(`${s.probs.length} probabilities for ${s.ids.length} ids × ${numClasses} classes`);
    s.ids.forEach((id, r) => {
      if (!rows.has(id)) {
        rows.set(id, take.length);
        take.push([s, r]);
      }
    });
    ends.push(take.length);
  }
  const probs = new Float32Array(take.length * numClasses);
  take.forEach(([s, r], i) => probs.set(s.probs.subarray(r * numClasses, (r + 1) * numClasses), i * numClasses));
  return { probs, rows, ends };
}

/** The class ids a row predicts (p > t_c, compared in float32), ascending. */
export function predictedLabels(p: Predictions, row: number): number[] {
  const out: number[] = [];
  for (let c = 0, i = row * p.numClasses; c < p.numClasses; c++, i++) if (isPredicted(p.probs[i], p.thresholds[c])) out.push(c);
  return out;
}

/** How a row's predicted labels compare with the sample's true labels. */
export function predictionTone(p: Predictions, row: number, sample: { split: string; labels: readonly number[] }): PredictionTone {
  if (sample.split === 'test' && !p.testTruth) return 'unknown';
  let extra = false,
    missed = false;
  for (let c = 0, i = row * p.numClasses; c < p.numClasses; c++, i++) {
    const predicted = isPredicted(p.probs[i], p.thresholds[c]);
    const truth = sample.labels.includes(c);
    if (predicted && !truth) extra = true;
    else if (truth && !predicted) missed = true;
  }
  return extra ? (missed ? 'wrong' : 'extra') : missed ? 'missed' : 'correct';
}

/** The row's confidence: the probability of class `cls` when one is given, else its highest class probability. */
export function confidenceOf(p: Predictions, row: number, cls: number | null): number {
  if (cls !== null) return p.probs[row * p.numClasses + cls];
  let max = 0;
  for (let c = 0, i = row * p.numClasses; c < p.numClasses; c++, i++) if (p.probs[i] > max) max = p.probs[i];
  return max;
}

/** One row's probabilities (a view, not a copy). */
export function rowProbs(p: Predictions, row: number): Float32Array {
  return p.probs.subarray(row * p.numClasses, (row + 1) * p.numClasses);
}
