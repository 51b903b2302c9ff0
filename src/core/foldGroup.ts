/**
 * A K-fold run group: the K models of one stratified K-fold split, trained with the same recipe and
 * seed, each validated on its own held-out fold (docs/kfold.md).
 *
 * Out of fold (OOF) every training image is predicted exactly once, by the one model that did not
 * train on it. That is why an OOF score cannot tell a mean-probability ensemble from a majority vote:
 * out of fold there is only one model per image, so every method's OOF score is that model's
 * prediction at some thresholds, and the OOF numbers compare *threshold rules*. Only predictions of
 * the test split (where all K models predict every image) compare the ensembles themselves.
 *
 * The comparison rows (`groupComparison`) and what their scores mean:
 *
 *  - mean-global: test = mean of the K models' probabilities at the global threshold fitted on all
 *    OOF predictions. OOF (`oofMacroF1`) = cross-fitted: the images of fold k at the global threshold
 *    fitted on the OOF predictions of the other K − 1 folds, pooled over k into one macro F1 — a
 *    threshold never sees the images it is scored on. `oofFittedMacroF1` = all OOF predictions at
 *    the threshold fitted on all of them (in-sample, optimistic).
 *  - mean-per-class: the same with per-class thresholds. In-sample, per-class is never below global
 *    (it maximises each class's F1 on the very predictions it scores); cross-fitted, it pays for
 *    fitting 28 numbers on few positives, which is the seed's point.
 *  - vote: test = a class kept where more than half of the K models predict it, model k at its own
 *    per-class thresholds `foldThresholds[k]` (fitted on its held-out fold, as a single fold run's
 *    thresholds are). OOF: with one model per image the vote reduces to that model, so the OOF score
 *    is each image's own fold model at that model's thresholds — fitted on the scored predictions
 *    (in-sample, optimistic: `oofOptimistic`); no cross-fitted value exists for it.
 *  - fold k (single): test = model k alone at `foldThresholds[k]`; OOF = its own held-out fold at
 *    those thresholds (in-sample, optimistic).
 *
 * All scores are metrics.ts's macro F1 (p > t in float32, empty classes by the `emptyClass` rule,
 * default 'zero'), without at-least-one post-processing.
 */
import { alignRun, meanProbabilities, oofPredictions, voteLabels } from './ensemble';
import { NUM_CLASSES } from './labels';
import { countsAtThresholds, countsFromMatrices, f1Report, type EmptyClassRule } from './metrics';
import { chooseThresholds, predictLabels, THRESHOLD_MODES, type ThresholdMode, type ThresholdResult } from './thresholds';
import { alignIds } from './csv';

export interface FoldPredictions {
  /** 0-based index among K */
  fold: number;
  /** the fold run's name (for tables) */
  name: string;
  /** its held-out ids (the ids of fold `fold`) */
  valIds: readonly string[];
  /** [valIds × classes] */
  valProbs: Float32Array;
  /** [valIds × classes] 0/1 */
  valTruth: Uint8Array;
  /** its predictions of the dataset's test split */
  testIds?: readonly string[];
  testProbs?: Float32Array;
}

/** The modes whose OOF scores are cross-fitted (the two the comparison uses). */
export type CrossFitMode = 'global' | 'per-class';

export interface GroupEvaluation {
  numClasses: number;
  emptyClass: EmptyClassRule;
  /** out-of-fold, every training id once */
  ids: string[];
  probs: Float32Array;
  truth: Uint8Array;
  /** which fold's model predicted each id (its index in the folds given) */
  fold: Int32Array;
  /** fitted on all OOF predictions; proportion's target rates are the OOF truth's prevalence (the training set's) unless given */
  thresholds: Record<ThresholdMode, ThresholdResult>;
  /** [fold][class]: per-class thresholds fitted on that fold's own held-out predictions (the spread; vote's member thresholds) */
  foldThresholds: number[][];
  /** OOF macro F1 at each mode's thresholds (in-sample: fitted on the same predictions) */
  macroF1: Record<ThresholdMode, number>;
  /** [fold][class]: the thresholds that score fold k cross-fitted, fitted on the OOF predictions of the other folds */
  crossFitThresholds: Record<CrossFitMode, number[][]>;
  /** cross-fitted OOF macro F1: fold k's images at crossFitThresholds[mode][k], pooled */
  crossFitMacroF1: Record<CrossFitMode, number>;
}

export interface GroupOptions {
  /** the OOF ids in this order (every one must be covered); default the folds' order */
  order?: readonly string[];
  numClasses?: number;
  emptyClass?: EmptyClassRule;
  /** threshold grid step (thresholds.ts; default 0.001) */
  step?: number;
  /** proportion mode's target rates; default the OOF truth's prevalence */
  rates?: ArrayLike<number>;
}

function checkFold(f: FoldPredictions, numClasses: number): void {
  const n = f.valIds.length * numClasses;
  if (f.valProbs.length !== n)
    throw new RangeError(`${f.name}: ${f.valProbs.length} validation probabilities for ${f.valIds.length} ids × ${numClasses} classes`);
  if (f.valTruth.length !== n) throw new RangeError(`${f.name}: ${f.valTruth.length} validation labels for ${f.valIds.length} ids × ${numClasses} classes`);
}

/** Rows of a [rows × classes] matrix, copied in the given row order. */
function pickRows<T extends Float32Array | Uint8Array>(m: T, rows: ArrayLike<number>, numClasses: number): T {
  const out = new (m.constructor as new (n: number) => T)(rows.length * numClasses);
  for (let r = 0; r < rows.length; r++) out.set(m.subarray(rows[r] * numClasses, (rows[r] + 1) * numClasses), r * numClasses);
  return out;
}

/** Prevalence of each class in a 0/1 matrix. */
function prevalence(truth: Uint8Array, numClasses: number): Float64Array {
  const rows = truth.length / numClasses;
  const out = new Float64Array(numClasses);
  for (let i = 0; i < truth.length; i++) out[i % numClasses] += truth[i];
  for (let c = 0; c < numClasses; c++) out[c] = rows ? out[c] / rows : 0;
  return out;
}

/**
 * The group's out-of-fold evaluation: OOF predictions and truth (each training id once, from the
 * fold whose model did not train on it), thresholds of every mode fitted on them, each fold's own
 * per-class thresholds, and the cross-fitted scores of the global and per-class rules.
 */
export function evaluateGroup(folds: readonly FoldPredictions[], opts: GroupOptions = {}): GroupEvaluation {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const emptyClass = opts.emptyClass ?? 'zero';
  if (folds.length < 2) throw new RangeError(`a fold group needs at least 2 folds, got ${folds.length}`);
  for (const f of folds) checkFold(f, numClasses);
  const oof = oofPredictions(
    folds.map((f) => ({ name: f.name, ids: f.valIds, probs: f.valProbs })),
    { order: opts.order, numClasses },
  );
  const where = new Map<string, { fold: number; row: number }>();
  folds.forEach((f, fi) => f.valIds.forEach((id, row) => where.set(id, { fold: fi, row })));
  if (where.size !== oof.ids.length)
    throw new RangeError(`${where.size - oof.ids.length} validation id(s) of the folds are not in the given order: every fold's ids must be listed`);
  const truth = new Uint8Array(oof.probs.length);
  const fold = new Int32Array(oof.ids.length);
  oof.ids.forEach((id, r) => {
    const w = where.get(id)!;
    fold[r] = w.fold;
    truth.set(folds[w.fold].valTruth.subarray(w.row * numClasses, (w.row + 1) * numClasses), r * numClasses);
  });
  const rates = opts.rates ?? prevalence(truth, numClasses);
  const fit = { numClasses, emptyClass, step: opts.step, rates };
  const thresholds = Object.fromEntries(THRESHOLD_MODES.map((m) => [m, chooseThresholds(truth, oof.probs, m, fit)])) as Record<ThresholdMode, ThresholdResult>;
  const macroF1 = Object.fromEntries(THRESHOLD_MODES.map((m) => [m, thresholds[m].report.macroF1])) as Record<ThresholdMode, number>;
  const foldThresholds = folds.map((f) => Array.from(chooseThresholds(f.valTruth, f.valProbs, 'per-class', { ...fit, rates: undefined }).thresholds));

  // cross-fitting: fold k's rows are scored at thresholds fitted on the other folds' OOF rows
  const rowsOf = folds.map((_, k) => {
    const inside: number[] = [],
      outside: number[] = [];
    fold.forEach((f, r) => (f === k ? inside : outside).push(r));
    return { inside, outside };
  });
  const crossFitThresholds = { global: [] as number[][], 'per-class': [] as number[][] };
  const crossFitMacroF1 = { global: NaN, 'per-class': NaN };
  for (const mode of ['global', 'per-class'] as const) {
    const pred = new Uint8Array(truth.length);
    folds.forEach((_, k) => {
      const { inside, outside } = rowsOf[k];
      const t = chooseThresholds(pickRows(truth, outside, numClasses), pickRows(oof.probs, outside, numClasses), mode, { ...fit, rates: undefined }).thresholds;
      crossFitThresholds[mode].push(Array.from(t));
      const p = predictLabels(pickRows(oof.probs, inside, numClasses), t, { numClasses });
      inside.forEach((r, i) => pred.set(p.subarray(i * numClasses, (i + 1) * numClasses), r * numClasses));
    });
    crossFitMacroF1[mode] = f1Report(countsFromMatrices(truth, pred, numClasses), emptyClass).macroF1;
  }
  return { numClasses, emptyClass, ids: oof.ids, probs: oof.probs, truth, fold, thresholds, foldThresholds, macroF1, crossFitThresholds, crossFitMacroF1 };
}

export type GroupMethod = 'mean-global' | 'mean-per-class' | 'vote';
export const GROUP_METHODS: readonly GroupMethod[] = ['mean-global', 'mean-per-class', 'vote'];

export interface ComparisonRow {
  /** 'mean-global' | 'mean-per-class' | 'vote' | `fold-${k}` */
  key: string;
  /** words a user reads */
  label: string;
  method: GroupMethod | 'single';
  fold: number | null;
  /** the out-of-fold score (module comment): cross-fitted for the mean rows, in-sample for vote and single folds */
  oofMacroF1: number;
  /** true where oofMacroF1's thresholds were fitted on the very predictions it scores (vote, single folds) */
  oofOptimistic: boolean;
  /** in-sample OOF score: thresholds fitted on the same predictions (all rows; equals oofMacroF1 where oofOptimistic) */
  oofFittedMacroF1: number;
  /** test macro F1 when test truth is given */
  testMacroF1: number | null;
}

const LABELS: Record<GroupMethod, string> = {
  'mean-global': 'Mean probability, one global threshold',
  'mean-per-class': 'Mean probability, per-class thresholds',
  vote: "Majority vote of the fold models (each at its fold's per-class thresholds)",
};

/** The K models' test probabilities aligned to the first fold's test ids. */
export function groupTestMembers(folds: readonly FoldPredictions[], numClasses = NUM_CLASSES): { ids: string[]; members: Float32Array[] } {
  const first = folds[0];
  if (!first?.testIds || !first.testProbs) throw new RangeError(`${first ? first.name : 'the group'} has no test predictions`);
  const ids = [...first.testIds];
  const members = folds.map((f) => {
    if (!f.testIds || !f.testProbs) throw new RangeError(`${f.name} has no test predictions`);
    return alignRun({ name: f.name, ids: f.testIds, probs: f.testProbs }, ids, numClasses);
  });
  return { ids, members };
}

/** The thresholds each method applies: mean rules one per class (fitted OOF), vote one list per fold model (its own). */
export interface GroupThresholds {
  'mean-global': number[];
  'mean-per-class': number[];
  vote: number[][];
}

export function groupThresholds(ev: GroupEvaluation): GroupThresholds {
  return {
    'mean-global': Array.from(ev.thresholds.global.thresholds),
    'mean-per-class': Array.from(ev.thresholds['per-class'].thresholds),
    vote: ev.foldThresholds.map((t) => [...t]),
  };
}

/** 0/1 labels of aligned member probabilities by a method (the one rule the studio, the CLI and the comparison share). */
export function labelsByMethod(members: readonly Float32Array[], method: GroupMethod, t: GroupThresholds, numClasses = NUM_CLASSES): Uint8Array {
  if (method === 'vote') return voteLabels(members, t.vote, { numClasses });
  if (method === 'mean-global' || method === 'mean-per-class') return predictLabels(meanProbabilities(members), t[method], { numClasses });
  throw new RangeError(`method '${method as string}' is not one of ${GROUP_METHODS.join(', ')}`);
}

/** The group's test labels [ids × classes] by a method (thresholds as in the module comment). */
export function groupTestLabels(folds: readonly FoldPredictions[], ev: GroupEvaluation, method: GroupMethod): { ids: string[]; labels: Uint8Array } {
  const { ids, members } = groupTestMembers(folds, ev.numClasses);
  return { ids, labels: labelsByMethod(members, method, groupThresholds(ev), ev.numClasses) };
}

/**
 * The seed's comparison: mean + global, mean + per-class, majority vote, then each fold model alone,
 * with their OOF scores and, when test truth is given, their test scores (module comment).
 */
export function groupComparison(
  folds: readonly FoldPredictions[],
  ev: GroupEvaluation,
  opts: { testTruth?: { ids: readonly string[]; truth: Uint8Array } } = {},
): ComparisonRow[] {
  const numClasses = ev.numClasses;
  const score = (truth: Uint8Array, pred: Uint8Array) => f1Report(countsFromMatrices(truth, pred, numClasses), ev.emptyClass).macroF1;
  // test: truth reordered to the group's test ids
  let test: { truth: Uint8Array; members: Float32Array[]; labels: (m: GroupMethod) => Uint8Array } | null = null;
  if (opts.testTruth) {
    const { ids, members } = groupTestMembers(folds, numClasses);
    const where = alignIds(ids, opts.testTruth.ids, { reference: 'the test predictions', other: 'the test truth' });
    if (opts.testTruth.truth.length !== opts.testTruth.ids.length * numClasses)
      throw new RangeError(`test truth: ${opts.testTruth.truth.length} labels for ${opts.testTruth.ids.length} ids × ${numClasses} classes`);
    const truth = pickRows(opts.testTruth.truth, where, numClasses);
    test = { truth, members, labels: (m) => groupTestLabels(folds, ev, m).labels };
  }
  // vote and single folds OOF: each image by its own fold model at that model's thresholds
  const ownPred = new Uint8Array(ev.truth.length);
  for (let r = 0; r < ev.ids.length; r++) {
    const t = ev.foldThresholds[ev.fold[r]];
    for (let c = 0; c < numClasses; c++) ownPred[r * numClasses + c] = ev.probs[r * numClasses + c] > Math.fround(t[c]) ? 1 : 0;
  }
  const ownScore = score(ev.truth, ownPred);
  const rows: ComparisonRow[] = [];
  for (const method of GROUP_METHODS) {
    const mode = method === 'mean-global' ? 'global' : 'per-class';
    const mean = method !== 'vote';
    rows.push({
      key: method,
      label: LABELS[method],
      method,
      fold: null,
      oofMacroF1: mean ? ev.crossFitMacroF1[mode] : ownScore,
      oofOptimistic: !mean,
      oofFittedMacroF1: mean ? ev.macroF1[mode] : ownScore,
      testMacroF1: test ? score(test.truth, test.labels(method)) : null,
    });
  }
  folds.forEach((f, k) => {
    const rowsK: number[] = [];
    ev.fold.forEach((fi, r) => fi === k && rowsK.push(r));
    const own = f1Report(
      countsAtThresholds(pickRows(ev.truth, rowsK, numClasses), pickRows(ev.probs, rowsK, numClasses), ev.foldThresholds[k], numClasses),
      ev.emptyClass,
    ).macroF1;
    rows.push({
      key: `fold-${f.fold}`,
      label: `Fold ${f.fold} model alone (${f.name})`,
      method: 'single',
      fold: f.fold,
      oofMacroF1: own,
      oofOptimistic: true,
      oofFittedMacroF1: own,
      testMacroF1: test ? score(test.truth, predictLabels(test.members[k], ev.foldThresholds[k], { numClasses })) : null,
    });
  });
  return rows;
}

/** The method with the best honest (cross-fitted) OOF score: mean-global or mean-per-class (ties: global). */
export function bestGroupMethod(rows: readonly ComparisonRow[]): GroupMethod {
  const g = rows.find((r) => r.key === 'mean-global'),
    p = rows.find((r) => r.key === 'mean-per-class');
  if (!g || !p) throw new RangeError('the comparison has no mean-global or mean-per-class row');
  return p.oofMacroF1 > g.oofMacroF1 ? 'mean-per-class' : 'mean-global';
}

/** Parses a group method name (CLI flags, saved settings). */
export function parseGroupMethod(value: string): GroupMethod {
  if ((GROUP_METHODS as readonly string[]).includes(value)) return value as GroupMethod;
  throw new RangeError(`method '${value}' is not one of ${GROUP_METHODS.join(', ')}`);
}
