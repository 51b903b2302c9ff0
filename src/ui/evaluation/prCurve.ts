/**
 * Precision–recall curve of one class from validation probabilities, under the studio's rule
 * "predict class c when p > t" (compared in float32, as metrics.ts does).
 *
 * One point per distinct probability v of the class (descending): the operating point of t = v,
 * which predicts every row with p > v. The first point (t = the largest probability) predicts
 * nothing; when the smallest probability is above 0, a last point at t = 0 predicts every row.
 * These are all the operating points a threshold slider over [0, 1] can reach.
 * Precision and recall follow the studio's one convention (core/metrics.ts precisionRecall, as in
 * the class table): precision with nothing predicted is 0 (scikit-learn's zero_division=0, not
 * precision_recall_curve's 1), recall of a class with no positives is 0, and an empty class
 * (nothing predicted, no positives) takes the empty-class rule's value.
 */
import { precisionRecall, type EmptyClassRule } from '../../core/metrics';

export interface PRPoint {
  /** the threshold t of this operating point (rule p > t) */
  threshold: number;
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
}

const fmt3 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(3));

/** The caption of the curve's marked point: the same precision and recall as the class table shows. */
export function operatingPointText(threshold: number, tp: number, fp: number, fn: number, emptyClass: EmptyClassRule = 'zero'): string {
  const { precision, recall } = precisionRecall(tp, fp, fn, emptyClass);
  return (
    `At threshold ${threshold.toFixed(3)}: precision ${fmt3(precision)}, recall ${fmt3(recall)} (TP ${tp}, FP ${fp}, FN ${fn})` +
    (tp + fp === 0 ? ' — nothing predicted' : '')
  );
}

/** The PR curve of class `cls` in row-major probabilities/truth [rows × numClasses]; thresholds descending. */
export function prCurve(truth: Uint8Array, probs: Float32Array, numClasses: number, cls: number, emptyClass: EmptyClassRule = 'zero'): PRPoint[] {
  if (probs.length !== truth.length || probs.length % numClasses !== 0) {
    throw new RangeError(`truth (${truth.length}) and probabilities (${probs.length}) must both be rows × ${numClasses}`);
  }
  if (!(Number.isInteger(cls) && cls >= 0 && cls < numClasses)) throw new RangeError(`class ${cls} is not 0..${numClasses - 1}`);
  const rows = probs.length / numClasses;
  // positives' and negatives' probabilities, each sorted descending
  const pos: number[] = [],
    neg: number[] = [];
  for (let r = 0, i = cls; r < rows; r++, i += numClasses) (truth[i] ? pos : neg).push(probs[i]);
  const P = Float32Array.from(pos).sort().reverse(),
    N = Float32Array.from(neg).sort().reverse();
  const np = P.length,
    nn = N.length;
  const points: PRPoint[] = [];
  const push = (t: number, tp: number, fp: number) => points.push({ threshold: t, ...precisionRecall(tp, fp, np - tp, emptyClass), tp, fp, fn: np - tp });
  let ip = 0,
    in_ = 0; // rows with p > current threshold
  while (ip < np || in_ < nn) {
    const v = Math.max(ip < np ? P[ip] : -Infinity, in_ < nn ? N[in_] : -Infinity);
    push(v, ip, in_);
    while (ip < np && P[ip] === v) ip++;
    while (in_ < nn && N[in_] === v) in_++;
  }
  if (points.length === 0 || points[points.length - 1].threshold > 0) push(0, np, nn);
  return points;
}

/**
 * Fewer points for drawing that keep the curve's shape: a point is kept when its recall or precision
 * differs by at least `minStep` from the last kept one (so every step of a rare class's curve, where
 * one positive moves recall by 1/positives, survives), and the last point is always kept. If that
 * still leaves more than `max`, evenly spaced ones of those are kept.
 */
export function thinCurve(points: readonly PRPoint[], minStep = 0.004, max = 600): PRPoint[] {
  if (points.length <= 2) return points.slice();
  const kept: PRPoint[] = [points[0]];
  for (let i = 1; i < points.length - 1; i++) {
    const last = kept[kept.length - 1],
      p = points[i];
    if (Math.abs(p.recall - last.recall) >= minStep || Math.abs(p.precision - last.precision) >= minStep) kept.push(p);
  }
  kept.push(points[points.length - 1]);
  if (kept.length <= max) return kept;
  const out: PRPoint[] = [];
  const step = (kept.length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(kept[Math.round(k * step)]);
  return out;
}
