/**
 * Training losses of the HPA task (docs/domain.md §6) as tfjs ops that run on every backend.
 * Inputs: yTrue [batch, classes] of 0/1 (any dtype) and yPred [batch, classes] of probabilities
 * (after the sigmoid). Every loss returns a scalar; the *Elements / *PerClass functions expose the
 * intermediate values the spec's test vectors give.
 *
 * - BCE: −[y ln p + (1−y) ln(1−p)], p clipped to [1e-7, 1−1e-7] (float32: 1−1e-7 is 1−1.19e-7, so the
 *   largest element costs 16.1 for y = 1 and 15.9 for y = 0); mean over batch × classes.
 * - Focal (Lin et al. 2017): −α_t (1 − p_t)^γ ln p_t, p_t = p if y = 1 else 1 − p; γ = 2 by default.
 * - Soft F1 (the Kaggle "F1 loss"): per class over the batch tp = Σ y·p, fp = Σ (1−y)·p, fn = Σ y·(1−p),
 *   P = tp/(tp+fp+ε), R = tp/(tp+fn+ε), F1 = 2PR/(P+R+ε) (NaN → 0), ε = 1e-7; loss 1 − mean F1
 *   (or −ln mean F1, the 4th-place form, with the mean clipped at ε).
 *
 * Weighting (`alpha`, for BCE and focal):
 * - { mode: 'none' }: α_t = 1.
 * - { mode: 'scalar', value: α }: Lin et al.'s α_t = α for y = 1, 1 − α for y = 0 (α in [0, 1]).
 * - class weights w_c (classWeights.ts: 'inverse-frequency' normalised to mean 1 over the classes,
 *   'log-damped', or a user 'vector'): with on: 'all' (default) α_t = w_c for both y (a class weight:
 *   how much class c counts in the sum); with on: 'positive' α_t = w_c for y = 1 and 1 for y = 0
 *   (like pos_weight: pushes recall of rare classes). The α / 1 − α split is not used for class
 *   weights because w_c > 1 would give negatives a negative weight.
 *
 * Reduction (BCE, focal): 'mean' over batch × classes (Keras' binary_crossentropy; default) or
 * 'sum-classes': summed over classes, mean over the batch (= classes × mean; the gapnet-pl paper's BCE).
 */
import * as tf from '@tensorflow/tfjs';
import { classWeights, CLASS_WEIGHT_MODES, type ClassWeightSpec } from './classWeights';
import { NUM_CLASSES } from './labels';

export const EPSILON = 1e-7;

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

export type AlphaSpec = { mode: 'none' } | { mode: 'scalar'; value: number } | (ClassWeightSpec & { on?: 'all' | 'positive' });

export type Reduction = 'mean' | 'sum-classes';

export type LossSpec =
  | { kind: 'bce'; alpha?: AlphaSpec; reduction?: Reduction }
  | { kind: 'focal'; gamma?: number; alpha?: AlphaSpec; reduction?: Reduction }
  | { kind: 'soft-f1'; form?: 'one-minus' | 'neg-log' }
  | { kind: 'combined'; terms: { weight: number; loss: LossSpec }[] };

/** Per-element α_t as a function of y, or null for no weighting. Weights are plain numbers here. */
export type ElementWeight = null | { kind: 'scalar'; alpha: number } | { kind: 'class'; weights: ArrayLike<number>; on: 'all' | 'positive' };

function clipP(yPred: tf.Tensor): tf.Tensor {
  return tf.clipByValue(tf.cast(yPred, 'float32'), EPSILON, 1 - EPSILON);
}

function alphaT(y: tf.Tensor, w: ElementWeight): tf.Tensor | null {
  if (!w) return null;
  if (w.kind === 'scalar') return tf.add(tf.mul(y, w.alpha), tf.mul(tf.sub(1, y), 1 - w.alpha));
  const wc = tf.tensor1d(Array.from(w.weights), 'float32');
  if (w.on === 'all') return tf.mul(tf.onesLike(y), wc);
  return tf.add(tf.mul(y, wc), tf.sub(1, y));
}

function reduce(elements: tf.Tensor, reduction: Reduction): tf.Scalar {
  return reduction === 'mean' ? tf.mean(elements) : tf.mean(tf.sum(elements, -1));
}

/** −α_t (1 − p_t)^γ ln p_t per element, [batch, classes]; γ = 0 and no α is plain BCE. */
export function focalElements(yTrue: tf.Tensor, yPred: tf.Tensor, gamma = 2, weight: ElementWeight = null): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.cast(yTrue, 'float32');
    const p = clipP(yPred);
    const pt = tf.add(tf.mul(y, p), tf.mul(tf.sub(1, y), tf.sub(1, p)));
    let e = tf.neg(tf.log(pt));
    if (gamma !== 0) e = tf.mul(tf.pow(tf.sub(1, pt), gamma), e);
    const a = alphaT(y, weight);
    return a ? tf.mul(a, e) : e;
  });
}

/** −[y ln p + (1−y) ln(1−p)] per element, [batch, classes], p clipped to [1e-7, 1−1e-7]. */
export function bceElements(yTrue: tf.Tensor, yPred: tf.Tensor, weight: ElementWeight = null): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.cast(yTrue, 'float32');
    const p = clipP(yPred);
    const e = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
    const a = alphaT(y, weight);
    return a ? tf.mul(a, e) : e;
  });
}

/**
 * The fused loss kernels (src/accel/webgpu/focalLoss.ts registers them on webgpu): the whole BCE or focal
 * loss, elements and reduction, as one kernel, and its gradient with respect to yPred as one more.
 * FOCAL_LOSS takes { yTrue, yPred } (float32 [batch, classes]); FOCAL_LOSS_WEIGHTED also takes
 * w [classes] (class weights). Attributes: FusedLossAttrs. The gradient kernel takes
 * { dy (the loss's upstream gradient, a scalar), yTrue, yPred, w? } and returns dL/dyPred.
 * bce() and focal() use them only where they are registered; the ops below are their reference.
 */
export const FOCAL_LOSS = 'HpaFocalLoss';
export const FOCAL_LOSS_WEIGHTED = 'HpaFocalLossWeighted';
export const FOCAL_LOSS_GRAD = 'HpaFocalLossGrad';

/**
 * Whether bce() and focal() may run the fused kernels where they are registered. The code that
 * registers them sets it (src/accel/webgpu/focalLoss.ts: its flag HPA_FUSED_LOSS, false for the
 * bench's "before"); until then, yes.
 */
let fusedLossAllowed: () => boolean = () => true;

/** Sets what says whether the fused loss kernels may run (see fusedLossAllowed). */
export function allowFusedLoss(when: () => boolean): void {
  fusedLossAllowed = when;
}

export interface FusedLossAttrs {
  /** 'bce': −[y ln p + (1−y) ln(1−p)]; 'focal': −(1 − p_t)^γ ln p_t */
  form: 'bce' | 'focal';
  gamma: number;
  /** α_t = y·aPos + (1−y)·aNeg without class weights; with them ('all': α_t = w_c; 'positive': y·w_c + 1−y) */
  aPos: number;
  aNeg: number;
  on: 'none' | 'all' | 'positive';
  /** 1 / (batch × classes) for 'mean', 1 / batch for 'sum-classes' */
  scale: number;
}

/** The fused kernel's call for these inputs, or null where it is not registered or allowed (or the shapes are not [batch, classes]). */
function fusedLoss(form: 'bce' | 'focal', yTrue: tf.Tensor, yPred: tf.Tensor, gamma: number, weight: ElementWeight, reduction: Reduction): tf.Scalar | null {
  const name = weight?.kind === 'class' ? FOCAL_LOSS_WEIGHTED : FOCAL_LOSS;
  if (yPred.rank !== 2 || !tf.util.arraysEqual(yTrue.shape, yPred.shape) || !tf.getKernel(name, tf.getBackend()) || !fusedLossAllowed()) return null;
  const [batch, classes] = yPred.shape;
  const attrs: FusedLossAttrs = {
    form,
    gamma,
    aPos: weight?.kind === 'scalar' ? weight.alpha : 1,
    aNeg: weight?.kind === 'scalar' ? 1 - weight.alpha : 1,
    on: weight?.kind === 'class' ? weight.on : 'none',
    scale: reduction === 'mean' ? 1 / (batch * classes) : 1 / batch,
  };
  const inputs: tf.NamedTensorMap = { yTrue: tf.cast(yTrue, 'float32'), yPred: tf.cast(yPred, 'float32') };
  if (weight?.kind === 'class') {
    if (weight.weights.length !== classes) return null;
    inputs.w = tf.tensor1d(Array.from(weight.weights), 'float32');
  }
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Scalar;
}

export function bce(yTrue: tf.Tensor, yPred: tf.Tensor, weight: ElementWeight = null, reduction: Reduction = 'mean'): tf.Scalar {
  return tf.tidy(() => fusedLoss('bce', yTrue, yPred, 0, weight, reduction) ?? reduce(bceElements(yTrue, yPred, weight), reduction));
}

export function focal(yTrue: tf.Tensor, yPred: tf.Tensor, gamma = 2, weight: ElementWeight = null, reduction: Reduction = 'mean'): tf.Scalar {
  return tf.tidy(() => fusedLoss('focal', yTrue, yPred, gamma, weight, reduction) ?? reduce(focalElements(yTrue, yPred, gamma, weight), reduction));
}

/** bce() / focal() as tfjs ops only (the fused kernels' reference in their self-check). */
export function lossOps(form: 'bce' | 'focal', yTrue: tf.Tensor, yPred: tf.Tensor, gamma: number, weight: ElementWeight, reduction: Reduction): tf.Scalar {
  return tf.tidy(() => reduce(form === 'bce' ? bceElements(yTrue, yPred, weight) : focalElements(yTrue, yPred, gamma, weight), reduction));
}

/** Soft F1 of each class over the batch, [classes]. */
export function softF1PerClass(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.cast(yTrue, 'float32');
    const p = tf.cast(yPred, 'float32');
    const tp = tf.sum(tf.mul(y, p), 0);
    const fp = tf.sum(tf.mul(tf.sub(1, y), p), 0);
    const fn = tf.sum(tf.mul(y, tf.sub(1, p)), 0);
    const P = tf.div(tp, tf.add(tf.add(tp, fp), EPSILON));
    const R = tf.div(tp, tf.add(tf.add(tp, fn), EPSILON));
    const f1 = tf.div(tf.mul(tf.mul(P, R), 2), tf.add(tf.add(P, R), EPSILON));
    return tf.where(tf.isNaN(f1), tf.zerosLike(f1), f1);
  });
}

/** 1 − mean over classes of the soft F1 (or −ln of that mean). */
export function softF1Loss(yTrue: tf.Tensor, yPred: tf.Tensor, form: 'one-minus' | 'neg-log' = 'one-minus'): tf.Scalar {
  return tf.tidy(() => {
    const m = tf.mean(softF1PerClass(yTrue, yPred));
    return (form === 'one-minus' ? tf.sub(1, m) : tf.neg(tf.log(tf.maximum(m, EPSILON)))) as tf.Scalar;
  });
}

/** Σ weight_i · loss_i. */
export function combineLosses(terms: readonly { loss: LossFn; weight: number }[]): LossFn {
  if (terms.length === 0) throw new RangeError('combineLosses needs at least one term');
  return (yTrue, yPred) => tf.tidy(() => terms.map((t) => tf.mul(t.loss(yTrue, yPred), t.weight)).reduce((a, b) => tf.add(a, b)) as tf.Scalar);
}

/** The numbers behind an α spec (class counts are needed by the count-based modes). */
export function resolveAlpha(alpha: AlphaSpec | undefined, classCounts?: ArrayLike<number>, numClasses = NUM_CLASSES): ElementWeight {
  if (!alpha || alpha.mode === 'none') return null;
  if (alpha.mode === 'scalar') {
    if (!(alpha.value >= 0 && alpha.value <= 1)) throw new RangeError(`scalar alpha must be in [0, 1], got ${alpha.value}`);
    return { kind: 'scalar', alpha: alpha.value };
  }
  if (alpha.mode !== 'vector' && !classCounts) throw new RangeError(`alpha mode '${alpha.mode}' needs the training fold's class counts`);
  const on = alpha.on ?? 'all';
  if (on !== 'all' && on !== 'positive') throw new RangeError(`alpha.on must be 'all' or 'positive', got '${on as string}'`);
  return { kind: 'class', weights: classWeights(alpha, classCounts, numClasses), on };
}

/**
 * A loss function from a JSON-serialisable spec. `classCounts` (positives per class in the training
 * fold) are required by the 'inverse-frequency' and 'log-damped' α modes.
 */
export function makeLoss(spec: LossSpec, classCounts?: ArrayLike<number>, numClasses = NUM_CLASSES): LossFn {
  validateLossSpec(spec);
  switch (spec.kind) {
    case 'bce': {
      const w = resolveAlpha(spec.alpha, classCounts, numClasses);
      const reduction = spec.reduction ?? 'mean';
      return (yTrue, yPred) => bce(yTrue, yPred, w, reduction);
    }
    case 'focal': {
      const w = resolveAlpha(spec.alpha, classCounts, numClasses);
      const gamma = spec.gamma ?? 2;
      const reduction = spec.reduction ?? 'mean';
      return (yTrue, yPred) => focal(yTrue, yPred, gamma, w, reduction);
    }
    case 'soft-f1': {
      const form = spec.form ?? 'one-minus';
      return (yTrue, yPred) => softF1Loss(yTrue, yPred, form);
    }
    case 'combined':
      return combineLosses(spec.terms.map((t) => ({ weight: t.weight, loss: makeLoss(t.loss, classCounts, numClasses) })));
  }
}

/**
 * Checks the shape of a loss spec read from JSON (CLI flags, saved runs) and returns it typed.
 * Errors name the offending path, e.g. `loss.terms[1].loss.gamma`.
 */
export function validateLossSpec(spec: unknown, path = 'loss'): LossSpec {
  const fail = (msg: string): never => {
    throw new TypeError(`${path}: ${msg}`);
  };
  if (typeof spec !== 'object' || spec === null) return fail('expected an object with a "kind"');
  const s = spec as Record<string, unknown>;
  const checkReduction = () => {
    if (s.reduction !== undefined && s.reduction !== 'mean' && s.reduction !== 'sum-classes')
      fail(`reduction '${String(s.reduction)}' is not 'mean' or 'sum-classes'`);
  };
  const checkAlpha = () => {
    if (s.alpha === undefined) return;
    const a = s.alpha as Record<string, unknown>;
    if (typeof a !== 'object' || a === null) return fail('alpha must be an object with a "mode"');
    const modes = ['none', 'scalar', ...CLASS_WEIGHT_MODES];
    if (!modes.includes(a.mode as string)) return fail(`alpha.mode '${String(a.mode)}' is not one of ${modes.join(', ')}`);
    if (a.mode === 'scalar' && !(typeof a.value === 'number' && a.value >= 0 && a.value <= 1)) fail(`alpha.value must be a number in [0, 1]`);
    if (a.mode === 'vector' && !(Array.isArray(a.values) && a.values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)))
      fail('alpha.values must be an array of finite numbers ≥ 0');
    if (a.mode === 'log-damped' && a.mu !== undefined && !(typeof a.mu === 'number' && a.mu > 0)) fail('alpha.mu must be a number > 0');
    if (a.on !== undefined && a.on !== 'all' && a.on !== 'positive') fail(`alpha.on '${String(a.on)}' is not 'all' or 'positive'`);
  };
  switch (s.kind) {
    case 'bce':
      checkAlpha();
      checkReduction();
      break;
    case 'focal':
      if (s.gamma !== undefined && !(typeof s.gamma === 'number' && s.gamma >= 0)) fail('gamma must be a number ≥ 0');
      checkAlpha();
      checkReduction();
      break;
    case 'soft-f1':
      if (s.form !== undefined && s.form !== 'one-minus' && s.form !== 'neg-log') fail(`form '${String(s.form)}' is not 'one-minus' or 'neg-log'`);
      break;
    case 'combined':
      if (!Array.isArray(s.terms) || s.terms.length === 0) fail('terms must be a non-empty array of {weight, loss}');
      (s.terms as unknown[]).forEach((t, i) => {
        const term = t as Record<string, unknown>;
        if (typeof term !== 'object' || term === null || typeof term.weight !== 'number' || !Number.isFinite(term.weight))
          fail(`terms[${i}].weight must be a finite number`);
        validateLossSpec(term.loss, `${path}.terms[${i}].loss`);
      });
      break;
    default:
      fail(`kind '${String(s.kind)}' is not one of bce, focal, soft-f1, combined`);
  }
  return spec as LossSpec;
}

/** A short human-readable name of a loss spec, e.g. "focal γ=2 α=inverse-frequency". */
export function describeLoss(spec: LossSpec): string {
  const alpha = (a?: AlphaSpec) =>
    !a || a.mode === 'none'
      ? ''
      : a.mode === 'scalar'
        ? ` α=${a.value}`
        : ` α=${a.mode}${a.mode === 'log-damped' && a.mu !== undefined ? `(μ=${a.mu})` : ''}${a.on === 'positive' ? ' on positives' : ''}`;
  const red = (r?: Reduction) => (r === 'sum-classes' ? ' summed over classes' : '');
  switch (spec.kind) {
    case 'bce':
      return `BCE${alpha(spec.alpha)}${red(spec.reduction)}`;
    case 'focal':
      return `focal γ=${spec.gamma ?? 2}${alpha(spec.alpha)}${red(spec.reduction)}`;
    case 'soft-f1':
      return spec.form === 'neg-log' ? '−ln soft F1' : 'soft F1';
    case 'combined':
      return spec.terms.map((t) => `${t.weight}·${describeLoss(t.loss)}`).join(' + ');
  }
}
