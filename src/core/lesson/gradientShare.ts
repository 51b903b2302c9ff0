/**
 * The loss lesson's mechanism: where the loss gradient comes from. For the studio's BCE and focal
 * losses (losses.ts, docs/domain.md §6) the gradient of one element's loss with respect to its logit
 * z (p = sigmoid(z)) is a closed form of p and y, so it is computed here from the validation
 * predictions every epoch already reports: no trainer change, no tfjs.
 *
 *   p_t = p for y = 1, 1 − p for y = 0
 *   BCE:    |∂L/∂z| = α_t · (1 − p_t)
 *   focal:  |∂L/∂z| = α_t · (1 − p_t)^γ · [(1 − p_t) − γ · p_t · ln p_t]      (γ = 0 gives BCE)
 *
 * each divided by rows × classes (the losses' mean reduction). Where p lies outside the losses'
 * clip [1e-7, 1 − 1e-7] (in float32) the clip passes no gradient and the element contributes 0, as
 * under tf.grad. α_t: 1 without weighting; w_c for class weights on all elements ('inverse-frequency'
 * etc.); w_c for positives and 1 for negatives with on: 'positive'; α / 1 − α for a scalar.
 *
 * The elements fall into four groups: positives of rare classes, positives of the other classes,
 * easy negatives (p_t > 0.9: the model already says "no" with more than 90 %) and hard negatives.
 * Upsampling (the rare-duplication sampler) does not change any element's gradient: it changes how
 * often rare-class images are in a batch, which validation predictions cannot show.
 */
import { classWeights, type ClassWeightSpec } from '../classWeights';

/** The losses' clip of p (losses.ts EPSILON), as float32 compares it. */
const LO = Math.fround(1e-7);
const HI = Math.fround(1 - 1e-7);

/** Negatives whose p_t is above this are "easy". */
export const EASY_PT = 0.9;

export type GradientLoss = { kind: 'bce'; gamma?: undefined } | { kind: 'focal'; gamma: number };

/** Per-element weight α_t, as losses.ts resolves it (null: none). */
export type GradientWeight = null | { kind: 'scalar'; alpha: number } | { kind: 'class'; weights: ArrayLike<number>; on: 'all' | 'positive' };

export interface GradientShare {
  /** Σ |∂L/∂z| over every element of the batch, for the mean-reduced loss */
  total: number;
  /** shares of `total` (they sum to 1; all 0 when total is 0) */
  rarePositives: number;
  commonPositives: number;
  easyNegatives: number;
  hardNegatives: number;
}

/** |∂L/∂z| of one element before the mean's 1 / (rows × classes). */
export function elementGradient(p: number, y: number, loss: GradientLoss, alphaT = 1): number {
  if (!(p >= LO && p <= HI)) return 0;
  const pt = y ? p : 1 - p;
  const q = 1 - pt;
  if (loss.kind === 'bce' || loss.gamma === 0) return alphaT * q;
  const g = loss.gamma;
  return alphaT * Math.pow(q, g) * (q - g * pt * Math.log(pt));
}

function alphaOf(w: GradientWeight, y: number, c: number): number {
  if (!w) return 1;
  if (w.kind === 'scalar') return y ? w.alpha : 1 - w.alpha;
  return y || w.on === 'all' ? w.weights[c] : 1;
}

/**
 * The shares of the loss gradient over a batch of predictions (row-major [rows × numClasses]),
 * with `rareClasses` marking whose positives count as rare.
 */
export function gradientShare(
  probs: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
  loss: GradientLoss,
  weight: GradientWeight,
  rareClasses: readonly number[],
): GradientShare {
  if (probs.length !== truth.length || probs.length % numClasses !== 0)
    throw new RangeError(`${probs.length} probabilities, ${truth.length} labels, ${numClasses} classes`);
  const rare = new Uint8Array(numClasses);
  for (const c of rareClasses) if (c >= 0 && c < numClasses) rare[c] = 1;
  let rp = 0,
    cp = 0,
    en = 0,
    hn = 0;
  for (let i = 0; i < probs.length; i++) {
    const c = i % numClasses;
    const y = truth[i] ? 1 : 0;
    const p = probs[i];
    const g = elementGradient(p, y, loss, alphaOf(weight, y, c));
    if (y) {
      if (rare[c]) rp += g;
      else cp += g;
    } else if (1 - p > EASY_PT) en += g;
    else hn += g;
  }
  const sum = rp + cp + en + hn;
  const share = (x: number) => (sum > 0 ? x / sum : 0);
  return {
    total: probs.length ? sum / probs.length : 0,
    rarePositives: share(rp),
    commonPositives: share(cp),
    easyNegatives: share(en),
    hardNegatives: share(hn),
  };
}

/** What a lesson run's loss is, for gradientShare: from its loss choice, γ and α, and its training split's class counts. */
export function gradientLossOf(
  c: { loss: string; gamma: number; alpha: { mode: string; value?: number; on?: 'all' | 'positive' } },
  trainClassCounts: ArrayLike<number> | null,
  numClasses: number,
): { loss: GradientLoss; weight: GradientWeight } {
  const loss: GradientLoss = c.loss === 'focal' ? { kind: 'focal', gamma: c.gamma } : { kind: 'bce' };
  const a = c.alpha;
  let weight: GradientWeight = null;
  if (a.mode === 'scalar') weight = { kind: 'scalar', alpha: a.value ?? 0.25 };
  else if (a.mode !== 'none') {
    if (a.mode !== 'vector' && !trainClassCounts) throw new RangeError(`α '${a.mode}' needs the training split's class counts`);
    weight = { kind: 'class', weights: classWeights(a as ClassWeightSpec, trainClassCounts ?? undefined, numClasses), on: a.on ?? 'all' };
  }
  return { loss, weight };
}

/** Bins of the predicted-probability histograms: [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
export const HISTOGRAM_BINS = 10;

export interface ClassHistogram {
  cls: number;
  /** counts of the class's positives (y = 1) per probability bin */
  positives: number[];
  /** counts of its negatives per bin */
  negatives: number[];
}

/** The distribution of one class's predicted probabilities, for its positives and its negatives. */
export function classHistogram(probs: ArrayLike<number>, truth: ArrayLike<number>, numClasses: number, cls: number, bins = HISTOGRAM_BINS): ClassHistogram {
  const positives = new Array<number>(bins).fill(0);
  const negatives = new Array<number>(bins).fill(0);
  for (let i = cls; i < probs.length; i += numClasses) {
    const p = probs[i];
    if (!Number.isFinite(p)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    (truth[i] ? positives : negatives)[b]++;
  }
  return { cls, positives, negatives };
}
