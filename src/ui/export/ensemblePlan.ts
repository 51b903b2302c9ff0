/**
 * How an ensemble of predicted runs turns probabilities into labels: each member's thresholds
 * and validation macro F1, the ensemble's thresholds and validation macro F1, and where those
 * come from (tfjs-free: core/ensemble.ts and core/thresholds.ts on plain arrays).
 *
 *  - one run: its thresholds from its own validation predictions;
 *  - K runs whose validation sets are disjoint (the folds of one K-fold split): out-of-fold
 *    predictions (every validation image predicted once, by the model that did not train on it);
 *  - runs sharing validation images (e.g. seeds of one hold-out split): the images every member held out;
 *  - otherwise (no validation predictions, e.g. imported models): the members' own thresholds
 *    (a model zip's studio.json, else 0.5), averaged for the mean, and no ensemble score.
 */
import { areDisjoint, meanProbabilities, oofPredictions, scoreMember, voteLabels, type EnsembleMethod } from '../../core/ensemble';
import { NUM_CLASSES } from '../../core/labels';
import { chooseThresholds, predictLabels, scoreThresholds, type ThresholdMode } from '../../core/thresholds';
import { countsFromMatrices, f1Report } from '../../core/metrics';

export interface MemberInput {
  name: string;
  valIds: readonly string[];
  valProbs: Float32Array | null;
  valTruth: Uint8Array | null;
  /** thresholds the model came with (an imported model zip), used when it has no validation predictions */
  packagedThresholds: readonly number[] | null;
}

export interface EnsembleSettings {
  method: EnsembleMethod;
  mode: ThresholdMode;
  atLeastOne: boolean;
  /** per-class target rates for 'proportion' (the train prevalence) */
  rates: readonly number[] | null;
}

export type ThresholdSource = 'own' | 'oof' | 'common' | 'packaged';

export interface MemberPlan {
  name: string;
  thresholds: Float64Array;
  /** validation macro F1 at those thresholds (with the at-least-one rule if chosen), null without validation predictions */
  valMacroF1: number | null;
  valRows: number;
  source: 'validation' | 'packaged' | 'default';
}

export interface EnsemblePlan {
  members: MemberPlan[];
  /** thresholds applied to the mean probability ('mean'); for 'vote' each member uses its own */
  thresholds: Float64Array;
  source: ThresholdSource;
  /** validation macro F1 of the ensemble on `valRows` rows, null where it cannot be measured */
  valMacroF1: number | null;
  valRows: number;
  /** one sentence: where the thresholds and the score come from */
  note: string;
}

function rowsOf(probs: Float32Array, ids: readonly string[], keep: readonly string[], numClasses: number): Float32Array {
  const where = new Map(ids.map((id, r) => [id, r]));
  const out = new Float32Array(keep.length * numClasses);
  keep.forEach((id, r) => out.set(probs.subarray(where.get(id)! * numClasses, (where.get(id)! + 1) * numClasses), r * numClasses));
  return out;
}

function thresholdsFor(truth: Uint8Array, probs: Float32Array, s: EnsembleSettings, numClasses: number): Float64Array {
  if (s.mode === 'proportion' && !s.rates) throw new RangeError('proportion thresholds need the train prevalence');
  return chooseThresholds(truth, probs, s.mode, { rates: s.rates ?? undefined, numClasses }).thresholds;
}

/** The ids present in every list, in the first list's order. */
export function commonIds(lists: readonly (readonly string[])[]): string[] {
  if (!lists.length) return [];
  const sets = lists.slice(1).map((l) => new Set(l));
  return lists[0].filter((id) => sets.every((s) => s.has(id)));
}

export function planEnsemble(inputs: readonly MemberInput[], s: EnsembleSettings, numClasses = NUM_CLASSES): EnsemblePlan {
  if (!inputs.length) throw new RangeError('an ensemble needs at least one member');
  const members: MemberPlan[] = inputs.map((m) => {
    if (m.valProbs && m.valTruth && m.valIds.length) {
      const thresholds = thresholdsFor(m.valTruth, m.valProbs, s, numClasses);
      const score = scoreMember(m.name, m.valTruth, m.valProbs, thresholds, { atLeastOne: s.atLeastOne, numClasses });
      return { name: m.name, thresholds, valMacroF1: score.report.macroF1, valRows: m.valIds.length, source: 'validation' };
    }
    if (m.packagedThresholds) return { name: m.name, thresholds: Float64Array.from(m.packagedThresholds), valMacroF1: null, valRows: 0, source: 'packaged' };
    return { name: m.name, thresholds: new Float64Array(numClasses).fill(0.5), valMacroF1: null, valRows: 0, source: 'default' };
  });
  const withVal = inputs.every((m) => m.valProbs && m.valTruth && m.valIds.length);
  const meanOf = (ts: Float64Array[]) => Float64Array.from({ length: numClasses }, (_, c) => ts.reduce((a, t) => a + t[c], 0) / ts.length);
  if (inputs.length === 1) {
    const m = members[0];
    return {
      members,
      thresholds: m.thresholds,
      source: m.source === 'validation' ? 'own' : 'packaged',
      valMacroF1: m.valMacroF1,
      valRows: m.valRows,
      note:
        m.source === 'validation'
          ? `thresholds and score from the run's ${m.valRows} validation images, predicted with the same weights and TTA`
          : m.source === 'packaged'
            ? "the model's own thresholds (studio.json); no validation images to score on"
            : 'no validation predictions: thresholds 0.5',
    };
  }
  if (withVal && areDisjoint(inputs.map((m) => ({ name: m.name, ids: m.valIds, probs: m.valProbs! })))) {
    const oof = oofPredictions(
      inputs.map((m) => ({ name: m.name, ids: m.valIds, probs: m.valProbs! })),
      { numClasses },
    );
    const truth = Uint8Array.from(
      oofPredictions(
        inputs.map((m) => ({ name: m.name, ids: m.valIds, probs: Float32Array.from(m.valTruth!) })),
        { numClasses },
      ).probs,
    );
    const thresholds = thresholdsFor(truth, oof.probs, s, numClasses);
    const valMacroF1 = s.method === 'mean' ? scoreThresholds(truth, oof.probs, thresholds, { atLeastOne: s.atLeastOne, numClasses }).macroF1 : null;
    return {
      members,
      thresholds,
      source: 'oof',
      valMacroF1,
      valRows: oof.ids.length,
      note: `the runs' validation sets are disjoint (folds of one split): thresholds from their ${oof.ids.length} out-of-fold predictions, each image predicted by the one model that did not train on it${s.method === 'vote' ? '; a vote cannot be scored out of fold' : ''}`,
    };
  }
  const common = withVal ? commonIds(inputs.map((m) => m.valIds)) : [];
  if (common.length) {
    const aligned = inputs.map((m) => rowsOf(m.valProbs!, m.valIds, common, numClasses));
    const m0 = inputs[0];
    const truth = Uint8Array.from(rowsOf(Float32Array.from(m0.valTruth!), m0.valIds, common, numClasses));
    const mean = meanProbabilities(aligned);
    const thresholds = thresholdsFor(truth, mean, s, numClasses);
    const pred =
      s.method === 'mean'
        ? predictLabels(mean, thresholds, { atLeastOne: s.atLeastOne, numClasses })
        : voteLabels(
            aligned,
            members.map((m) => m.thresholds),
            { atLeastOne: s.atLeastOne, numClasses },
          );
    const valMacroF1 = f1Report(countsFromMatrices(truth, pred, numClasses)).macroF1;
    return {
      members,
      thresholds,
      source: 'common',
      valMacroF1,
      valRows: common.length,
      note: `thresholds and score from the ${common.length} validation images that every member held out`,
    };
  }
  return {
    members,
    thresholds: meanOf(members.map((m) => m.thresholds)),
    source: 'packaged',
    valMacroF1: null,
    valRows: 0,
    note: withVal
      ? 'the members share no validation image: the mean of their own thresholds, no ensemble score'
      : 'not every member has validation predictions: the mean of their own thresholds, no ensemble score',
  };
}

/** The ensemble's test labels (row-major 0/1) and its mean probabilities, for aligned member probabilities. */
export function ensembleTest(
  testProbs: readonly Float32Array[],
  plan: EnsemblePlan,
  s: EnsembleSettings,
  numClasses = NUM_CLASSES,
): { probs: Float32Array; labels: Uint8Array } {
  const probs = testProbs.length === 1 ? testProbs[0] : meanProbabilities(testProbs);
  const labels =
    s.method === 'vote' && testProbs.length > 1
      ? voteLabels(
          testProbs,
          plan.members.map((m) => m.thresholds),
          { atLeastOne: s.atLeastOne, numClasses },
        )
      : predictLabels(probs, plan.thresholds, { atLeastOne: s.atLeastOne, numClasses });
  return { probs, labels };
}
