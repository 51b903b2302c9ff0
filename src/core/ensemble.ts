/**
 * Ensembles of runs (independent runs, or the K models of a K-fold run) on plain typed arrays.
 *
 *  - 'mean': the mean of the members' probabilities, then threshold(s) (the seed's winner);
 *  - 'vote': each member's thresholded predictions, a class kept where more than half of the
 *    members predict it (or at least `minVotes`).
 * Thresholds for the ensemble come from out-of-fold predictions where they exist: `oofPredictions`
 * assembles the K folds' validation predictions by id, so every training image is predicted once
 * by the model that did not train on it. Scores use metrics.ts.
 */
import { alignIds } from './csv';
import { f1Report, countsFromMatrices, type EmptyClassRule, type F1Report } from './metrics';
import { NUM_CLASSES } from './labels';
import { predictLabels } from './thresholds';

export type EnsembleMethod = 'mean' | 'vote';

/** One run's probabilities for a list of ids (row-major [ids × classes]). */
export interface RunPredictions {
  name: string;
  ids: readonly string[];
  probs: Float32Array;
}

function checkRun(r: RunPredictions, numClasses: number): void {
  if (r.probs.length !== r.ids.length * numClasses)
    throw new RangeError(`run ${r.name}: ${r.probs.length} probabilities for ${r.ids.length} ids × ${numClasses} classes`);
}

/** A run's probabilities reordered to `ids`; an error names the ids it lacks (or has in excess). */
export function alignRun(run: RunPredictions, ids: readonly string[], numClasses = NUM_CLASSES): Float32Array {
  checkRun(run, numClasses);
  const where = alignIds(ids, run.ids, { reference: 'the ensemble ids', other: `run ${run.name}` });
  const out = new Float32Array(ids.length * numClasses);
  for (let r = 0; r < ids.length; r++) out.set(run.probs.subarray(where[r] * numClasses, (where[r] + 1) * numClasses), r * numClasses);
  return out;
}

/** Element-wise mean of equally shaped probability matrices. */
export function meanProbabilities(members: readonly Float32Array[]): Float32Array {
  if (!members.length) throw new RangeError('an ensemble needs at least one member');
  const n = members[0].length;
  for (const m of members) if (m.length !== n) throw new RangeError(`members differ in size: ${m.length} vs ${n}`);
  const sum = new Float64Array(n);
  for (const m of members) for (let i = 0; i < n; i++) sum[i] += m[i];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = sum[i] / members.length;
  return out;
}

/**
 * Majority vote: member i predicts class c where p > t_i,c; the ensemble keeps c where at least
 * `minVotes` members do (default: more than half). `atLeastOne` applies to each member's predictions.
 */
export function voteLabels(
  members: readonly Float32Array[],
  thresholds: readonly (number | ArrayLike<number>)[],
  opts: { minVotes?: number; atLeastOne?: boolean; numClasses?: number } = {},
): Uint8Array {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  if (!members.length) throw new RangeError('an ensemble needs at least one member');
  if (thresholds.length !== members.length) throw new RangeError(`${thresholds.length} threshold sets for ${members.length} members`);
  const minVotes = opts.minVotes ?? Math.floor(members.length / 2) + 1;
  if (!(minVotes >= 1 && minVotes <= members.length)) throw new RangeError(`minVotes must be 1..${members.length}, got ${minVotes}`);
  const votes = new Uint16Array(members[0].length);
  members.forEach((m, i) => {
    if (m.length !== votes.length) throw new RangeError(`members differ in size: ${m.length} vs ${votes.length}`);
    const pred = predictLabels(m, thresholds[i], { atLeastOne: opts.atLeastOne, numClasses });
    for (let j = 0; j < pred.length; j++) votes[j] += pred[j];
  });
  return Uint8Array.from(votes, (v) => (v >= minVotes ? 1 : 0));
}

/**
 * Out-of-fold predictions: the union of the folds' validation predictions, each id once, in
 * `order` if given (every id of it must be covered) or in the folds' order.
 */
export function oofPredictions(
  folds: readonly RunPredictions[],
  opts: { order?: readonly string[]; numClasses?: number } = {},
): { ids: string[]; probs: Float32Array } {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const where = new Map<string, { fold: number; row: number }>();
  folds.forEach((f, fi) => {
    checkRun(f, numClasses);
    f.ids.forEach((id, row) => {
      const prev = where.get(id);
      if (prev) throw new RangeError(`id ${id} is in the validation predictions of both ${folds[prev.fold].name} and ${f.name}: folds must not overlap`);
      where.set(id, { fold: fi, row });
    });
  });
  const ids = opts.order ? [...opts.order] : [...where.keys()];
  const missing = ids.filter((id) => !where.has(id));
  if (missing.length)
    throw new RangeError(`${missing.length} id(s) have no out-of-fold prediction: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`);
  const probs = new Float32Array(ids.length * numClasses);
  ids.forEach((id, r) => {
    const { fold, row } = where.get(id)!;
    probs.set(folds[fold].probs.subarray(row * numClasses, (row + 1) * numClasses), r * numClasses);
  });
  return { ids, probs };
}

/** True when no id is in two runs' predictions: the runs are the folds of one K-fold split. */
export function areDisjoint(runs: readonly RunPredictions[]): boolean {
  const seen = new Set<string>();
  for (const r of runs)
    for (const id of r.ids) {
      if (seen.has(id)) return false;
      seen.add(id);
    }
  return true;
}

/** The ensemble's 0/1 predictions for aligned member probabilities. */
export function ensembleLabels(
  members: readonly Float32Array[],
  o: {
    method: EnsembleMethod;
    thresholds: number | ArrayLike<number>;
    memberThresholds?: readonly (number | ArrayLike<number>)[];
    atLeastOne?: boolean;
    minVotes?: number;
    numClasses?: number;
  },
): Uint8Array {
  const numClasses = o.numClasses ?? NUM_CLASSES;
  if (o.method === 'mean') return predictLabels(meanProbabilities(members), o.thresholds, { atLeastOne: o.atLeastOne, numClasses });
  const t = o.memberThresholds ?? members.map(() => o.thresholds);
  return voteLabels(members, t, { minVotes: o.minVotes, atLeastOne: o.atLeastOne, numClasses });
}

export interface MemberScore {
  name: string;
  rows: number;
  report: F1Report;
}

/** A run's validation score: its probabilities at its thresholds against truth (aligned rows). */
export function scoreMember(
  name: string,
  truth: Uint8Array,
  probs: Float32Array,
  thresholds: number | ArrayLike<number>,
  opts: { atLeastOne?: boolean; emptyClass?: EmptyClassRule; numClasses?: number } = {},
): MemberScore {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const pred = predictLabels(probs, thresholds, { atLeastOne: opts.atLeastOne, numClasses });
  return { name, rows: truth.length / numClasses, report: f1Report(countsFromMatrices(truth, pred, numClasses), opts.emptyClass) };
}

/** The ensemble's score on aligned rows: its predictions against truth. */
export function scoreEnsemble(
  truth: Uint8Array,
  members: readonly Float32Array[],
  o: Parameters<typeof ensembleLabels>[1] & { emptyClass?: EmptyClassRule },
): F1Report {
  const numClasses = o.numClasses ?? NUM_CLASSES;
  return f1Report(countsFromMatrices(truth, ensembleLabels(members, o), numClasses), o.emptyClass);
}
