/**
 * The live loss chart's series: the smoothed batch loss, each epoch's mean training loss and its
 * validation loss, on one axis of global batch steps.
 *
 * Where each epoch value goes: an epoch's training loss is the mean over all its batches, so it
 * describes the model as it was in the middle of the epoch, not at its end; drawn at the end it
 * sits far above the batch curve while the loss is still falling (on the 32 px demo, epoch 1's
 * mean is 0.1265 while its last batches read 0.053–0.068: the "jump to 0.13 at the first epoch
 * boundary"). So the mean goes to the epoch's middle step; the validation loss, measured after the
 * epoch's last step, to its end.
 *
 * The batch points come from the training worker at most every 200 ms, so a point may stand for
 * one batch or for ten. The smoothing decays per batch step, not per point: the curve is nearly the
 * same whether a fast machine reported every fifth batch or a slow one every batch.
 */

/** The loss of the batch at global step `step` (1-based: epoch e's batch b is (e − 1) × batchesPerEpoch + b). */
export interface LossPoint {
  step: number;
  loss: number;
}

export interface EpochLoss {
  epoch: number;
  /** mean training loss over the epoch's batches */
  loss: number;
  valLoss: number;
}

export interface LossCurveRow {
  step: number;
  smoothed?: number;
  /** the epoch's mean training loss (at the epoch's middle step) */
  train?: number;
  /** the epoch's validation loss (at its last step) */
  val?: number;
}

/**
 * Exponential moving average with `weight` per batch step (TensorBoard's, debiased at the start),
 * over points that may skip steps: a skipped batch's loss is taken on the straight line between the
 * reported ones around it.
 */
export function smoothLoss(points: readonly LossPoint[], weight: number): number[] {
  if (points.length === 0) return [];
  const base = points[0].step - 1;
  let prev = { step: base, loss: points[0].loss };
  let ema = 0;
  return points.map((p) => {
    const gap = p.step - prev.step;
    for (let k = 1; k <= gap; k++) ema = ema * weight + (1 - weight) * (prev.loss + ((p.loss - prev.loss) * k) / gap);
    prev = p;
    const debias = 1 - weight ** (p.step - base);
    return debias > 0 ? ema / debias : p.loss;
  });
}

/** The chart's rows by step: at most about `maxPoints` smoothed batch points (the last always), and two rows per epoch. */
export function lossCurveRows(
  points: readonly LossPoint[],
  epochs: readonly EpochLoss[],
  batchesPerEpoch: number,
  weight: number,
  maxPoints = 200,
): LossCurveRow[] {
  const smoothed = smoothLoss(points, weight);
  // SVG cost grows with points, the curve's shape does not
  const every = Math.max(1, Math.ceil(points.length / maxPoints));
  const rows: LossCurveRow[] = points.map((p, i) => ({ step: p.step, smoothed: smoothed[i] })).filter((_, i) => i % every === 0 || i === points.length - 1);
  for (const e of epochs) {
    rows.push({ step: (e.epoch - 0.5) * batchesPerEpoch, train: e.loss });
    rows.push({ step: e.epoch * batchesPerEpoch, val: e.valLoss });
  }
  return rows.sort((a, b) => a.step - b.step);
}
