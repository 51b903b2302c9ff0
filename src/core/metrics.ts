/**
 * Multilabel classification metrics of the HPA task (docs/domain.md §3) on plain typed arrays:
 * per-class TP/FP/FN, precision, recall, F1 and macro F1, from probabilities at a threshold vector
 * (rule `p > t`) or from label sets. No tfjs: the UI recomputes these on every threshold slider move.
 *
 * Layout: matrices are row-major `[rows × numClasses]`; truth and predictions are `Uint8Array` of 0/1,
 * probabilities `Float32Array`. Comparisons `p > t` happen in float32 (`p > Math.fround(t)`), the
 * precision of the probabilities, so a threshold of 0.2 and a probability of 0.2 compare equal as
 * a user expects (in float64, float32(0.2) = 0.2000000030 > 0.2 would predict it positive).
 *
 * Empty classes (TP = FP = FN = 0: absent from truth and prediction) are scored by an explicit rule,
 * returned with every report so it can be shown: 'zero' (scikit-learn's zero_division=0, default),
 * 'one' (zero_division=1), or 'skip' (excluded from the mean). Precision with TP+FP = 0 (nothing
 * predicted) and recall with TP+FN = 0 are 0 for non-empty classes, as in scikit-learn with
 * zero_division=0; `precisionRecall` is that one convention, for the table, the curve and its caption.
 */
import { NUM_CLASSES } from './labels';

export type EmptyClassRule = 'zero' | 'one' | 'skip';

/** The one labelling rule: class predicted when p > t, compared in float32 (see above). */
export function isPredicted(p: number, threshold: number): boolean {
  return p > Math.fround(threshold);
}
export const EMPTY_CLASS_RULES: readonly EmptyClassRule[] = ['zero', 'one', 'skip'];

export interface ConfusionCounts {
  numClasses: number;
  rows: number;
  tp: Int32Array;
  fp: Int32Array;
  fn: Int32Array;
}

export interface ClassScore {
  cls: number;
  tp: number;
  fp: number;
  fn: number;
  /** positives in the truth: TP + FN */
  support: number;
  precision: number;
  recall: number;
  f1: number;
  /** TP = FP = FN = 0: scored by the empty-class rule */
  empty: boolean;
}

export interface F1Report {
  /** the mean F1 over the classes the rule scores; NaN when 'skip' leaves no class */
  macroF1: number;
  emptyClass: EmptyClassRule;
  /** classes with TP = FP = FN = 0 */
  emptyClasses: number[];
  /** how many classes the mean is over (numClasses unless 'skip' excluded some) */
  scoredClasses: number;
  perClass: ClassScore[];
}

function newCounts(rows: number, numClasses: number): ConfusionCounts {
  return { numClasses, rows, tp: new Int32Array(numClasses), fp: new Int32Array(numClasses), fn: new Int32Array(numClasses) };
}

function checkShape(name: string, length: number, rows: number, numClasses: number): void {
  if (length !== rows * numClasses) throw new RangeError(`${name} has ${length} values, expected ${rows} rows × ${numClasses} classes`);
}

/** 0/1 matrix [rows × numClasses] of label sets (each a list of class ids). */
export function labelMatrix(labelSets: readonly (readonly number[])[], numClasses = NUM_CLASSES): Uint8Array {
  const m = new Uint8Array(labelSets.length * numClasses);
  labelSets.forEach((labels, r) => {
    for (const c of labels) {
      if (!(c >= 0 && c < numClasses && Number.isInteger(c))) throw new RangeError(`row ${r}: label ${c} is not a class id 0..${numClasses - 1}`);
      m[r * numClasses + c] = 1;
    }
  });
  return m;
}

/** Label sets (ascending class ids) of a 0/1 matrix. */
export function labelSets(matrix: Uint8Array, numClasses = NUM_CLASSES): number[][] {
  const rows = matrix.length / numClasses;
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const labels: number[] = [];
    for (let c = 0; c < numClasses; c++) if (matrix[r * numClasses + c]) labels.push(c);
    out.push(labels);
  }
  return out;
}

/** Per-class float32 thresholds from one number (all classes) or one per class. */
export function thresholdVector(thresholds: number | ArrayLike<number>, numClasses = NUM_CLASSES): Float32Array {
  const t = new Float32Array(numClasses);
  if (typeof thresholds === 'number') t.fill(thresholds);
  else {
    if (thresholds.length !== numClasses) throw new RangeError(`${thresholds.length} thresholds for ${numClasses} classes`);
    for (let c = 0; c < numClasses; c++) t[c] = thresholds[c];
  }
  return t;
}

/** TP/FP/FN per class of a 0/1 prediction matrix against a 0/1 truth matrix. */
export function countsFromMatrices(truth: Uint8Array, pred: Uint8Array, numClasses = NUM_CLASSES): ConfusionCounts {
  const rows = truth.length / numClasses;
  checkShape('truth', truth.length, Math.floor(rows), numClasses);
  checkShape('predictions', pred.length, rows, numClasses);
  const k = newCounts(rows, numClasses);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < numClasses; c++, i++) {
      const y = truth[i],
        p = pred[i];
      if (p) {
        if (y) k.tp[c]++;
        else k.fp[c]++;
      } else if (y) k.fn[c]++;
    }
  }
  return k;
}

/** TP/FP/FN per class of probabilities against truth, predicting class c where p > t_c (in float32). */
export function countsAtThresholds(truth: Uint8Array, probs: Float32Array, thresholds: number | ArrayLike<number>, numClasses = NUM_CLASSES): ConfusionCounts {
  const rows = truth.length / numClasses;
  checkShape('truth', truth.length, Math.floor(rows), numClasses);
  checkShape('probabilities', probs.length, rows, numClasses);
  const t = thresholdVector(thresholds, numClasses);
  const k = newCounts(rows, numClasses);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < numClasses; c++, i++) {
      const y = truth[i];
      if (probs[i] > t[c]) {
        if (y) k.tp[c]++;
        else k.fp[c]++;
      } else if (y) k.fn[c]++;
    }
  }
  return k;
}

/** TP/FP/FN per class of predicted label sets against true label sets (same row order). */
export function countsFromLabelSets(truth: readonly (readonly number[])[], pred: readonly (readonly number[])[], numClasses = NUM_CLASSES): ConfusionCounts {
  if (truth.length !== pred.length) throw new RangeError(`${truth.length} true rows but ${pred.length} predicted rows`);
  return countsFromMatrices(labelMatrix(truth, numClasses), labelMatrix(pred, numClasses), numClasses);
}

/** F1 of one class from its counts under the empty-class rule; NaN means 'skip' this class. */
export function classF1(tp: number, fp: number, fn: number, emptyClass: EmptyClassRule = 'zero'): number {
  const d = 2 * tp + fp + fn;
  if (d === 0) return emptyClass === 'zero' ? 0 : emptyClass === 'one' ? 1 : NaN;
  return (2 * tp) / d;
}

/**
 * Precision and recall of one class from its counts: a zero denominator gives 0 (scikit-learn's
 * zero_division=0: a class with nothing predicted has precision 0), and an empty class
 * (TP = FP = FN = 0) takes the empty-class rule's value (NaN for 'skip').
 */
export function precisionRecall(tp: number, fp: number, fn: number, emptyClass: EmptyClassRule = 'zero'): { precision: number; recall: number } {
  if (tp + fp + fn === 0) {
    const v = emptyClass === 'one' ? 1 : emptyClass === 'zero' ? 0 : NaN;
    return { precision: v, recall: v };
  }
  return { precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 };
}

/** Macro F1 of counts (allocation-free; for slider-speed recomputation). */
export function macroF1(counts: ConfusionCounts, emptyClass: EmptyClassRule = 'zero'): number {
  let sum = 0,
    n = 0;
  for (let c = 0; c < counts.numClasses; c++) {
    const f = classF1(counts.tp[c], counts.fp[c], counts.fn[c], emptyClass);
    if (!Number.isNaN(f)) {
      sum += f;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/** Per-class precision, recall, F1 and the macro F1, with the empty-class rule that was applied. */
export function f1Report(counts: ConfusionCounts, emptyClass: EmptyClassRule = 'zero'): F1Report {
  const perClass: ClassScore[] = [];
  const emptyClasses: number[] = [];
  for (let c = 0; c < counts.numClasses; c++) {
    const tp = counts.tp[c],
      fp = counts.fp[c],
      fn = counts.fn[c];
    const empty = tp + fp + fn === 0;
    if (empty) emptyClasses.push(c);
    perClass.push({
      cls: c,
      tp,
      fp,
      fn,
      support: tp + fn,
      ...precisionRecall(tp, fp, fn, emptyClass),
      f1: classF1(tp, fp, fn, emptyClass),
      empty,
    });
  }
  const scoredClasses = emptyClass === 'skip' ? counts.numClasses - emptyClasses.length : counts.numClasses;
  return { macroF1: macroF1(counts, emptyClass), emptyClass, emptyClasses, scoredClasses, perClass };
}

/** Parses an empty-class rule name (for CLI flags and saved settings). */
export function parseEmptyClassRule(value: string): EmptyClassRule {
  if ((EMPTY_CLASS_RULES as readonly string[]).includes(value)) return value as EmptyClassRule;
  throw new RangeError(`empty-class rule '${value}' is not one of ${EMPTY_CLASS_RULES.join(', ')}`);
}
