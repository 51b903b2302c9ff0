import { describe, expect, it } from 'vitest';
import { lossCurveRows, smoothLoss, type LossPoint } from './lossCurve';

// Batch losses the training worker posted for the Quick demo at 32 px (200 demo samples, 162 of them
// training: 10 batches of 16 and one of 2 an epoch; seed 1; every batch reported), and the epochs' logs
// (each epoch's mean loss over its images).
const LOSSES = [
  [0.3366, 0.2229, 0.1498, 0.1092, 0.0952, 0.0989, 0.0644, 0.0645, 0.0652, 0.0674, 0.054],
  [0.08, 0.0663, 0.0528, 0.0817, 0.0644, 0.078, 0.052, 0.0632, 0.0522, 0.0584, 0.0707],
  [0.0554, 0.0547, 0.0612, 0.0558, 0.0511, 0.0538, 0.0664, 0.0518, 0.0459, 0.0605, 0.0664],
];
const BPE = 11;
const POINTS: LossPoint[] = LOSSES.flatMap((epoch, e) => epoch.map((loss, b) => ({ step: e * BPE + b + 1, loss })));
const EPOCHS = [0.1265, 0.065, 0.0558].map((loss, e) => ({ epoch: e + 1, loss, valLoss: [0.1581, 0.1451, 0.1292][e] }));

/** The smoothed batch loss at `step`, read off the drawn rows (linear between points). */
function curveAt(rows: { step: number; smoothed?: number }[], step: number): number {
  const pts = rows.filter((r) => r.smoothed !== undefined) as { step: number; smoothed: number }[];
  const i = pts.findIndex((p) => p.step >= step);
  if (i <= 0) return pts[Math.max(0, i)].smoothed;
  const [a, b] = [pts[i - 1], pts[i]];
  return a.smoothed + ((b.smoothed - a.smoothed) * (step - a.step)) / (b.step - a.step);
}

describe('the live loss chart', () => {
  it("puts each epoch's mean training loss where it meets the batch curve: no 0.065 → 0.13 step at the first epoch's end", () => {
    // epoch 1's mean (0.1265) is twice its last batches (0.054–0.067): drawn at step 11 it stood far above the curve (0.083 there)
    const rows = lossCurveRows(POINTS, EPOCHS, BPE, 0.8);
    for (const e of EPOCHS) {
      const at = rows.find((r) => r.train === e.loss)!.step;
      const ratio = e.loss / curveAt(rows, at);
      expect(ratio, `epoch ${e.epoch}: mean ${e.loss.toFixed(4)} at step ${at}`).toBeGreaterThan(1 / 1.25);
      expect(ratio, `epoch ${e.epoch}: mean ${e.loss.toFixed(4)} at step ${at}`).toBeLessThan(1.25);
    }
    // the validation loss is measured after the epoch's last step, and is drawn there
    expect(rows.filter((r) => r.val !== undefined).map((r) => r.step)).toEqual([11, 22, 33]);
  });

  it('smooths per batch step, so a machine that reports every third batch draws the same curve', () => {
    const every = smoothLoss(POINTS, 0.8);
    const thirds = POINTS.filter((p, i) => i % 3 === 0 || p.step % BPE === 0);
    const sparse = smoothLoss(thirds, 0.8);
    thirds.forEach((p, i) => {
      if (p.step >= 4) expect(Math.abs(sparse[i] / every[p.step - 1] - 1), `step ${p.step}`).toBeLessThan(0.1);
    });
    // smoothing per reported point (as before) made the sparse curve lag: 0.102 against 0.083 at the first epoch's end
    let ema = 0;
    const perPoint = thirds.map((p, n) => (ema = ema * 0.8 + 0.2 * p.loss) / (1 - 0.8 ** (n + 1)));
    const end = thirds.findIndex((p) => p.step === BPE);
    expect(perPoint[end] / every[BPE - 1]).toBeGreaterThan(1.2);
  });

  it('is the plain series with no smoothing, debiased from a resumed run’s first step, and thinned to about maxPoints', () => {
    expect(smoothLoss(POINTS, 0)).toEqual(POINTS.map((p) => p.loss));
    const resumed = POINTS.slice(11);
    expect(smoothLoss(resumed, 0.9)[0]).toBeCloseTo(resumed[0].loss, 10);
    const many = Array.from({ length: 1000 }, (_, i) => ({ step: i + 1, loss: 1 }));
    const rows = lossCurveRows(many, [], 100, 0.6, 200);
    expect(rows.length).toBeLessThanOrEqual(201);
    expect(rows.at(-1)!.step).toBe(1000);
    rows.forEach((r) => expect(r.smoothed).toBeCloseTo(1, 10));
  });
});
