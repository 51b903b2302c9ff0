/**
 * Decision thresholds from held-out predictions (docs/domain.md §7), on plain typed arrays.
 *
 * - global:     one t for all classes, the first argmax of macro F1 over the grid t_k = k·step, 0 < t_k < 1.
 * - per-class:  t_c = first argmax of class c's F1 over the same grid (default step 0.001).
 * - lipton:     t_c = F1*_c / 2, with F1*_c the best F1 of class c over the grid (Lipton, Elkan &
 *               Narayanaswamy 2014: optimal for calibrated probabilities).
 * - proportion: t_c such that the predicted positive rate on the given probabilities equals a target
 *               rate r_c (e.g. the train prevalence): exactly round(r_c·n) rows have p > t_c when the
 *               probabilities have no ties at the boundary.
 * - atLeastOne: post-processing, the argmax class is switched on for rows with no label above threshold.
 *
 * Rule everywhere: class c is predicted when p > t_c, compared in float32 (see metrics.ts). Grid points
 * are k/K (K = round(1/step)) in float64, so 0.2 is exactly 0.2 and not 20 × 0.01.
 * A class without positives in the held-out truth carries no information for per-class and Lipton
 * thresholds (its F1 is 0 for any t that predicts something); it gets the fallback threshold
 * (default: the global one) and is flagged `informative: false`.
 */
import { NUM_CLASSES } from './labels';
import { countsAtThresholds, countsFromMatrices, classF1, f1Report, type EmptyClassRule, type F1Report } from './metrics';

export type ThresholdMode = 'global' | 'per-class' | 'lipton' | 'proportion';
export const THRESHOLD_MODES: readonly ThresholdMode[] = ['global', 'per-class', 'lipton', 'proportion'];

export interface ThresholdOptions {
  /** grid step for global, per-class and Lipton; default 0.001 */
  step?: number;
  /** scoring of empty classes in the macro F1 that the global search maximises and reports; default 'zero' */
  emptyClass?: EmptyClassRule;
  /** threshold for classes without held-out positives (per-class, Lipton); default the global threshold */
  fallback?: number;
  /** proportion mode: target positive rate per class (required there) */
  rates?: ArrayLike<number>;
  numClasses?: number;
}

export interface ThresholdResult {
  mode: ThresholdMode;
  /** one threshold per class */
  thresholds: Float64Array;
  /** per class: whether the held-out truth had positives (false: the fallback was used) */
  informative: boolean[];
  /** the scores of these thresholds on the same held-out data (macro F1 with the empty-class rule) */
  report: F1Report;
}

/** The grid t_k = k/K, k = 1..K−1, K = round(1/step): the open interval (0, 1). */
export function thresholdGrid(step = 0.001): Float64Array {
  const K = Math.round(1 / step);
  if (!(step > 0 && step < 1) || Math.abs(K * step - 1) > 1e-9) throw new RangeError(`grid step ${step} must divide 1 (e.g. 0.01, 0.001)`);
  return Float64Array.from({ length: K - 1 }, (_, i) => (i + 1) / K);
}

/**
 * TP and FP of every class at every grid threshold, by sorting each class's probabilities once
 * (O(n log n + grid) per class instead of O(n · grid)). Row-major [class × grid].
 */
export function gridCounts(truth: Uint8Array, probs: Float32Array, grid: Float64Array, numClasses = NUM_CLASSES) {
  const rows = truth.length / numClasses;
  if (!Number.isInteger(rows) || probs.length !== truth.length)
    throw new RangeError(`truth (${truth.length}) and probabilities (${probs.length}) must both be rows × ${numClasses}`);
  const G = grid.length;
  const tp = new Int32Array(numClasses * G),
    fp = new Int32Array(numClasses * G);
  const positives = new Int32Array(numClasses);
  const pos = new Float32Array(rows),
    neg = new Float32Array(rows);
  const grid32 = Float32Array.from(grid);
  for (let c = 0; c < numClasses; c++) {
    let np = 0,
      nn = 0;
    for (let r = 0, i = c; r < rows; r++, i += numClasses) {
      if (truth[i]) pos[np++] = probs[i];
      else neg[nn++] = probs[i];
    }
    const P = pos.subarray(0, np).sort(),
      N = neg.subarray(0, nn).sort();
    positives[c] = np;
    let ip = 0,
      in_ = 0;
    for (let k = 0; k < G; k++) {
      const t = grid32[k];
      while (ip < np && P[ip] <= t) ip++;
      while (in_ < nn && N[in_] <= t) in_++;
      tp[c * G + k] = np - ip;
      fp[c * G + k] = nn - in_;
    }
  }
  return { rows, numClasses, grid, tp, fp, positives };
}

type GridCounts = ReturnType<typeof gridCounts>;

/** Index of the first grid threshold with the best macro F1. */
function bestGlobal(g: GridCounts, emptyClass: EmptyClassRule): number {
  const G = g.grid.length;
  let best = -Infinity,
    bestK = 0;
  for (let k = 0; k < G; k++) {
    let sum = 0,
      n = 0;
    for (let c = 0; c < g.numClasses; c++) {
      const tp = g.tp[c * G + k];
      const f = classF1(tp, g.fp[c * G + k], g.positives[c] - tp, emptyClass);
      if (!Number.isNaN(f)) {
        sum += f;
        n++;
      }
    }
    const m = n ? sum / n : -Infinity;
    if (m > best) {
      best = m;
      bestK = k;
    }
  }
  return bestK;
}

/** Per class: first grid index of the best F1, and that F1. */
function bestPerClass(g: GridCounts): { index: Int32Array; f1: Float64Array } {
  const G = g.grid.length;
  const index = new Int32Array(g.numClasses),
    f1 = new Float64Array(g.numClasses);
  for (let c = 0; c < g.numClasses; c++) {
    let best = -Infinity;
    for (let k = 0; k < G; k++) {
      const tp = g.tp[c * G + k];
      const f = classF1(tp, g.fp[c * G + k], g.positives[c] - tp, 'zero');
      if (f > best) {
        best = f;
        index[c] = k;
      }
    }
    f1[c] = best;
  }
  return { index, f1 };
}

/** One threshold for all classes: the first argmax of macro F1 over the grid. */
export function globalThreshold(truth: Uint8Array, probs: Float32Array, opts: ThresholdOptions = {}): { threshold: number; macroF1: number } {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const g = gridCounts(truth, probs, thresholdGrid(opts.step), numClasses);
  const k = bestGlobal(g, opts.emptyClass ?? 'zero');
  const t = g.grid[k];
  return { threshold: t, macroF1: f1Report(countsAtThresholds(truth, probs, t, numClasses), opts.emptyClass).macroF1 };
}

/**
 * Thresholds proportional to target rates: for each class, the (k+1)-th largest probability with
 * k = round(rate·n), so exactly k rows have p > t (without ties); k = 0 gives the maximum (nothing
 * predicted), k = n gives 0.
 */
export function proportionThresholds(probs: Float32Array, rates: ArrayLike<number>, numClasses = NUM_CLASSES): Float64Array {
  if (rates.length !== numClasses) throw new RangeError(`${rates.length} target rates for ${numClasses} classes`);
  const rows = probs.length / numClasses;
  const col = new Float32Array(rows);
  const out = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const rate = rates[c];
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`target rate of class ${c} is ${rate}, expected 0..1`);
    for (let r = 0; r < rows; r++) col[r] = probs[r * numClasses + c];
    col.sort();
    const k = Math.round(rate * rows);
    out[c] = k >= rows ? 0 : col[rows - 1 - k];
  }
  return out;
}

/** Thresholds by one of the four modes, with their macro F1 on the same held-out data. */
export function chooseThresholds(truth: Uint8Array, probs: Float32Array, mode: ThresholdMode, opts: ThresholdOptions = {}): ThresholdResult {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const emptyClass = opts.emptyClass ?? 'zero';
  const g = gridCounts(truth, probs, thresholdGrid(opts.step), numClasses);
  const informative = Array.from(g.positives, (n) => n > 0);
  const globalT = g.grid[bestGlobal(g, emptyClass)];
  const fallback = opts.fallback ?? globalT;
  let thresholds: Float64Array;
  switch (mode) {
    case 'global':
      thresholds = new Float64Array(numClasses).fill(globalT);
      break;
    case 'per-class': {
      const best = bestPerClass(g);
      thresholds = Float64Array.from(best.index, (k, c) => (informative[c] ? g.grid[k] : fallback));
      break;
    }
    case 'lipton': {
      const best = bestPerClass(g);
      thresholds = Float64Array.from(best.f1, (f, c) => (informative[c] ? f / 2 : fallback));
      break;
    }
    case 'proportion': {
      if (!opts.rates) throw new RangeError('proportion thresholds need target rates (e.g. the train prevalence)');
      thresholds = proportionThresholds(probs, opts.rates, numClasses);
      break;
    }
    default:
      throw new RangeError(`threshold mode '${mode as string}' is not one of ${THRESHOLD_MODES.join(', ')}`);
  }
  const report = f1Report(countsAtThresholds(truth, probs, thresholds, numClasses), emptyClass);
  return { mode, thresholds, informative, report };
}

/**
 * 0/1 predictions [rows × classes] of probabilities at thresholds (p > t_c in float32). With
 * `atLeastOne`, a row with no class above its threshold gets its highest-probability class
 * (the first one on ties).
 */
export function predictLabels(
  probs: Float32Array,
  thresholds: number | ArrayLike<number>,
  opts: { atLeastOne?: boolean; numClasses?: number } = {},
): Uint8Array {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const rows = probs.length / numClasses;
  if (!Number.isInteger(rows)) throw new RangeError(`${probs.length} probabilities are not rows × ${numClasses}`);
  const t = Float32Array.from({ length: numClasses }, (_, c) => (typeof thresholds === 'number' ? thresholds : thresholds[c]));
  const pred = new Uint8Array(probs.length);
  for (let r = 0; r < rows; r++) {
    const o = r * numClasses;
    let any = false,
      arg = 0;
    for (let c = 0; c < numClasses; c++) {
      const p = probs[o + c];
      if (p > t[c]) {
        pred[o + c] = 1;
        any = true;
      }
      if (p > probs[o + arg]) arg = c;
    }
    if (!any && opts.atLeastOne) pred[o + arg] = 1;
  }
  return pred;
}

/** Switches on the argmax class of each row of `pred` that has no label (in place; returns pred). */
export function ensureAtLeastOne(pred: Uint8Array, probs: Float32Array, numClasses = NUM_CLASSES): Uint8Array {
  const rows = pred.length / numClasses;
  if (probs.length !== pred.length) throw new RangeError('predictions and probabilities differ in size');
  for (let r = 0; r < rows; r++) {
    const o = r * numClasses;
    let any = false,
      arg = 0;
    for (let c = 0; c < numClasses; c++) {
      if (pred[o + c]) any = true;
      if (probs[o + c] > probs[o + arg]) arg = c;
    }
    if (!any) pred[o + arg] = 1;
  }
  return pred;
}

/** Scores thresholds (optionally with at-least-one post-processing) on held-out data. */
export function scoreThresholds(
  truth: Uint8Array,
  probs: Float32Array,
  thresholds: number | ArrayLike<number>,
  opts: { atLeastOne?: boolean; emptyClass?: EmptyClassRule; numClasses?: number } = {},
): F1Report {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const counts = opts.atLeastOne
    ? countsFromMatrices(truth, predictLabels(probs, thresholds, { atLeastOne: true, numClasses }), numClasses)
    : countsAtThresholds(truth, probs, thresholds, numClasses);
  return f1Report(counts, opts.emptyClass);
}

/** Parses a threshold mode name (for CLI flags and saved settings). */
export function parseThresholdMode(value: string): ThresholdMode {
  if ((THRESHOLD_MODES as readonly string[]).includes(value)) return value as ThresholdMode;
  throw new RangeError(`threshold mode '${value}' is not one of ${THRESHOLD_MODES.join(', ')}`);
}
