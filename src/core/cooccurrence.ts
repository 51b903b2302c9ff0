/**
 * Label statistics of a set of samples: how many samples carry each class, how often two classes
 * occur on the same sample, how many labels samples have, and per-class counts by split.
 * Pure counting over label lists (each list a sample's class ids; duplicates count once).
 */
import { NUM_CLASSES } from './labels';

/** A sample as far as counting is concerned: its class ids and, for per-split counts, its split. */
export interface LabelledSample {
  readonly split?: string;
  readonly labels: readonly number[];
}

/** The distinct valid class ids of one label list (ids outside 0..numClasses-1 are ignored). */
function distinctClasses(labels: readonly number[], numClasses: number): number[] {
  const out: number[] = [];
  for (const c of labels) if (Number.isInteger(c) && c >= 0 && c < numClasses && !out.includes(c)) out.push(c);
  return out;
}

/** counts[c] = the number of samples whose labels include class c. */
export function classCounts(labelLists: Iterable<readonly number[]>, numClasses = NUM_CLASSES): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const labels of labelLists) for (const c of distinctClasses(labels, numClasses)) counts[c]++;
  return counts;
}

/**
 * The symmetric co-occurrence matrix: m[i][j] = the number of samples labelled with both i and j;
 * the diagonal m[c][c] is the class count.
 */
export function cooccurrence(labelLists: Iterable<readonly number[]>, numClasses = NUM_CLASSES): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (const labels of labelLists) {
    const cs = distinctClasses(labels, numClasses);
    for (const i of cs) for (const j of cs) m[i][j]++;
  }
  return m;
}

/**
 * Co-occurrence normalised to [0, 1] by the Jaccard index: |i ∧ j| / |i ∨ j|
 * = m[i][j] / (m[i][i] + m[j][j] − m[i][j]); 0 where neither class occurs. Symmetric; the
 * diagonal is 1 for every class that occurs.
 */
export function jaccard(m: readonly (readonly number[])[]): number[][] {
  return m.map((row, i) =>
    row.map((both, j) => {
      const either = m[i][i] + m[j][j] - both;
      return either > 0 ? both / either : 0;
    }),
  );
}

/** hist[k] = the number of samples with exactly k distinct labels (length = the largest k + 1). */
export function labelsPerSample(labelLists: Iterable<readonly number[]>, numClasses = NUM_CLASSES): number[] {
  const hist: number[] = [0];
  for (const labels of labelLists) {
    const k = distinctClasses(labels, numClasses).length;
    while (hist.length <= k) hist.push(0);
    hist[k]++;
  }
  return hist;
}

/** Per-class counts for each split present (e.g. { train: [...28], test: [...28] }). Samples without a split count as 'unknown'. */
export function classCountsBySplit(samples: Iterable<LabelledSample>, numClasses = NUM_CLASSES): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of samples) {
    const key = s.split ?? 'unknown';
    const counts = (out[key] ??= new Array<number>(numClasses).fill(0));
    for (const c of distinctClasses(s.labels, numClasses)) counts[c]++;
  }
  return out;
}
