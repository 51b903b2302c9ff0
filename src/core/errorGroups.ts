/**
 * The error groups of one class: the validation rows the thresholds make true positives, false
 * positives and false negatives, with the rule the evaluation counts use (predict class c when
 * p > t_c, compared in float32: src/core/metrics.ts), so each group's size is the table's count.
 *
 * Each group is sorted so the rows a user looking for the model's worst mistakes wants come first:
 * false positives by probability descending (the most confident wrong calls), false negatives
 * ascending (the most confidently missed), true positives descending (the clearest hits). Ties keep
 * row order.
 */
import { className, NUM_CLASSES } from './labels';
import { isPredicted } from './metrics';

export type ErrorKind = 'tp' | 'fp' | 'fn';
export const ERROR_KINDS: readonly ErrorKind[] = ['tp', 'fp', 'fn'];

export interface GroupEntry {
  id: string;
  /** the row of probs/truth/ids */
  row: number;
  /** the class's probability on this row */
  probability: number;
}

export interface ErrorGroups {
  cls: number;
  /** the threshold the groups were made with */
  threshold: number;
  tp: GroupEntry[];
  fp: GroupEntry[];
  fn: GroupEntry[];
}

const descending = (a: GroupEntry, b: GroupEntry) => b.probability - a.probability || a.row - b.row;
const ascending = (a: GroupEntry, b: GroupEntry) => a.probability - b.probability || a.row - b.row;

/**
 * The TP, FP and FN rows of class `cls` at its threshold. probs and truth are rows × numClasses,
 * row-major (RunRecord.valProbs/valTruth); ids are the rows' sample ids (RunRecord.valIds).
 */
export function errorGroups(
  probs: Float32Array,
  truth: Uint8Array,
  ids: readonly string[],
  cls: number,
  threshold: number,
  numClasses = NUM_CLASSES,
): ErrorGroups {
  const rows = ids.length;
  if (probs.length !== rows * numClasses || truth.length !== rows * numClasses)
    throw new RangeError(`${probs.length} probabilities and ${truth.length} truth values for ${rows} ids × ${numClasses} classes`);
  if (!(Number.isInteger(cls) && cls >= 0 && cls < numClasses)) throw new RangeError(`class ${cls} is not a class id 0..${numClasses - 1}`);
  const groups: ErrorGroups = { cls, threshold, tp: [], fp: [], fn: [] };
  for (let r = 0, i = cls; r < rows; r++, i += numClasses) {
    const p = probs[i];
    const entry = () => ({ id: ids[r], row: r, probability: p });
    if (isPredicted(p, threshold)) (truth[i] ? groups.tp : groups.fp).push(entry());
    else if (truth[i]) groups.fn.push(entry());
  }
  groups.tp.sort(descending);
  groups.fp.sort(descending);
  groups.fn.sort(ascending);
  return groups;
}

/** The groups of every class at its threshold, one class at a time (a caller can pause between classes). */
export function* eachClassErrorGroups(
  probs: Float32Array,
  truth: Uint8Array,
  ids: readonly string[],
  thresholds: ArrayLike<number>,
  numClasses = NUM_CLASSES,
): Generator<ErrorGroups> {
  if (thresholds.length !== numClasses) throw new RangeError(`${thresholds.length} thresholds for ${numClasses} classes`);
  for (let c = 0; c < numClasses; c++) yield errorGroups(probs, truth, ids, c, thresholds[c], numClasses);
}

/** The groups of every class at its threshold. */
export function allErrorGroups(probs: Float32Array, truth: Uint8Array, ids: readonly string[], thresholds: ArrayLike<number>, numClasses = NUM_CLASSES) {
  return [...eachClassErrorGroups(probs, truth, ids, thresholds, numClasses)];
}

const KIND_LABEL: Record<ErrorKind, string> = { tp: 'TP', fp: 'FP', fn: 'FN' };

/**
 * The error list's lines: the header `Id,class,kind,probability`, then one line per row of each
 * group (TP, then FP, then FN, each in its group's order), classes in the order given. `class` is
 * the class name (labels.ts; none has a comma), `kind` TP/FP/FN, `probability` the class's
 * probability with the float32's significant digits. Lazy: groups are read as the lines are.
 */
export function* errorListLines(groups: Iterable<ErrorGroups>): Generator<string> {
  yield 'Id,class,kind,probability';
  for (const g of groups) {
    const name = className(g.cls);
    for (const kind of ERROR_KINDS) for (const e of g[kind]) yield `${e.id},${name},${KIND_LABEL[kind]},${Number(e.probability.toPrecision(9))}`;
  }
}

/** The error list as CSV text (errorListLines, one per line). */
export function errorListCsv(groups: Iterable<ErrorGroups>): string {
  return [...errorListLines(groups)].join('\n') + '\n';
}
