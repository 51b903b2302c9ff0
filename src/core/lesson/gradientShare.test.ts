import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classWeights } from '../classWeights';
import { bce, focal, type ElementWeight } from '../losses';
import { Rng } from '../rng';
import { classHistogram, elementGradient, gradientLossOf, gradientShare, type GradientLoss, type GradientWeight } from './gradientShare';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const ROWS = 48;
const C = 28;
const RARE = [8, 9, 10, 15, 17, 20, 27];

/** A fixed batch: logits spread over confident-wrong to confident-right, positives ~15 %. */
function batch() {
  const rng = new Rng(7);
  const logits = Float32Array.from({ length: ROWS * C }, () => (rng.next() - 0.5) * 12);
  const truth = Uint8Array.from({ length: ROWS * C }, () => (rng.next() < 0.15 ? 1 : 0));
  return { logits, truth };
}

/** |∂L/∂z| per element by tf.grad through sigmoid and the studio's loss, and the probabilities the model would report. */
function tfGradients(logits: Float32Array, truth: Uint8Array, lossFn: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar) {
  const [g, p] = tf.tidy(() => {
    const z = tf.tensor2d(logits, [ROWS, C]);
    const y = tf.tensor2d(truth, [ROWS, C], 'float32');
    return [tf.abs(tf.grad((zz: tf.Tensor) => lossFn(y, tf.sigmoid(zz)))(z)), tf.sigmoid(z)];
  });
  const out = { grads: Float64Array.from(g.dataSync()), probs: Float32Array.from(p.dataSync()) };
  tf.dispose([g, p]);
  return out;
}

/** The same four shares, summed straight from the per-element gradients tf.grad gave. */
function directShares(grads: Float64Array, probs: Float32Array, truth: Uint8Array) {
  const s = { rp: 0, cp: 0, en: 0, hn: 0 };
  grads.forEach((g, i) => {
    const c = i % C;
    if (truth[i]) {
      if (RARE.includes(c)) s.rp += g;
      else s.cp += g;
    } else if (1 - probs[i] > 0.9) s.en += g;
    else s.hn += g;
  });
  const sum = s.rp + s.cp + s.en + s.hn;
  return { total: sum, rarePositives: s.rp / sum, commonPositives: s.cp / sum, easyNegatives: s.en / sum, hardNegatives: s.hn / sum };
}

const counts = Array.from({ length: C }, (_, c) => (RARE.includes(c) ? 3 + c : 40 + 5 * c));

const cases: { name: string; loss: GradientLoss; weight: GradientWeight; fn: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar }[] = [
  { name: 'BCE', loss: { kind: 'bce' }, weight: null, fn: (y, p) => bce(y, p) },
  { name: 'focal γ=2', loss: { kind: 'focal', gamma: 2 }, weight: null, fn: (y, p) => focal(y, p, 2) },
  { name: 'focal γ=0.5', loss: { kind: 'focal', gamma: 0.5 }, weight: null, fn: (y, p) => focal(y, p, 0.5) },
  (() => {
    const w: ElementWeight = { kind: 'class', weights: classWeights({ mode: 'inverse-frequency' }, counts, C), on: 'all' };
    return {
      name: 'focal γ=2, α inverse frequency',
      loss: { kind: 'focal', gamma: 2 } as GradientLoss,
      weight: w,
      fn: (y: tf.Tensor, p: tf.Tensor) => focal(y, p, 2, w),
    };
  })(),
  (() => {
    const w: ElementWeight = { kind: 'class', weights: classWeights({ mode: 'log-damped' }, counts, C), on: 'positive' };
    return { name: 'BCE, α log-damped on positives', loss: { kind: 'bce' } as GradientLoss, weight: w, fn: (y: tf.Tensor, p: tf.Tensor) => bce(y, p, w) };
  })(),
  {
    name: 'focal, scalar α 0.25',
    loss: { kind: 'focal', gamma: 2 },
    weight: { kind: 'scalar', alpha: 0.25 },
    fn: (y, p) => focal(y, p, 2, { kind: 'scalar', alpha: 0.25 }),
  },
];

describe('gradient shares against tf.grad of the studio losses', () => {
  for (const k of cases) {
    it(`${k.name}: per element and per group`, () => {
      const { logits, truth } = batch();
      const { grads, probs } = tfGradients(logits, truth, k.fn);
      // per element: the closed form / (rows × classes) is tf.grad's |∂L/∂z|
      const n = ROWS * C;
      const wOf = (i: number) => {
        const c = i % C;
        const w = k.weight;
        if (!w) return 1;
        if (w.kind === 'scalar') return truth[i] ? w.alpha : 1 - w.alpha;
        return truth[i] || w.on === 'all' ? w.weights[c] : 1;
      };
      let worst = 0;
      grads.forEach((g, i) => {
        const mine = elementGradient(probs[i], truth[i], k.loss, wOf(i)) / n;
        worst = Math.max(worst, Math.abs(mine - g) / Math.max(1e-9, Math.abs(g)));
      });
      expect(worst).toBeLessThan(1e-4); // float32 gradients against float64 closed forms
      const want = directShares(grads, probs, truth);
      const got = gradientShare(probs, truth, C, k.loss, k.weight, RARE);
      expect(got.total).toBeCloseTo(want.total, 6);
      for (const key of ['rarePositives', 'commonPositives', 'easyNegatives', 'hardNegatives'] as const) expect(got[key]).toBeCloseTo(want[key], 5);
      expect(got.rarePositives + got.commonPositives + got.easyNegatives + got.hardNegatives).toBeCloseTo(1, 12);
    });
  }

  it('gives no gradient where the losses clip p (as tf.grad does)', () => {
    expect(elementGradient(1, 1, { kind: 'bce' })).toBe(0);
    expect(elementGradient(0, 0, { kind: 'focal', gamma: 2 })).toBe(0);
    expect(elementGradient(0.5, 1, { kind: 'bce' })).toBeCloseTo(0.5, 12);
    // focal γ = 2 at p_t = 0.9: (0.1)^2 · (0.1 + 2 · 0.9 · ln(1/0.9))
    expect(elementGradient(0.1, 0, { kind: 'focal', gamma: 2 })).toBeCloseTo(0.01 * (0.1 - 2 * 0.9 * Math.log(0.9)), 6);
  });

  it('focal moves the gradient away from easy negatives: the lesson’s claim on a batch of mostly easy negatives', () => {
    const { logits, truth } = batch();
    const probs = Float32Array.from(logits, (z, i) => (truth[i] ? 1 / (1 + Math.exp(-z / 4)) : 0.03 + (0.04 * ((i * 7) % 10)) / 10));
    const b = gradientShare(probs, truth, C, { kind: 'bce' }, null, RARE);
    const f = gradientShare(probs, truth, C, { kind: 'focal', gamma: 2 }, null, RARE);
    expect(b.easyNegatives).toBeGreaterThan(0.3);
    expect(f.easyNegatives).toBeLessThan(b.easyNegatives / 5);
    expect(f.rarePositives).toBeGreaterThan(b.rarePositives);
  });
});

describe('gradientLossOf', () => {
  it('resolves the lesson variants as losses.ts does', () => {
    expect(gradientLossOf({ loss: 'bce', gamma: 2, alpha: { mode: 'none' } }, null, C)).toEqual({ loss: { kind: 'bce' }, weight: null });
    const fa = gradientLossOf({ loss: 'focal', gamma: 2, alpha: { mode: 'inverse-frequency' } }, counts, C);
    expect(fa.loss).toEqual({ kind: 'focal', gamma: 2 });
    expect(fa.weight).toEqual({ kind: 'class', weights: classWeights({ mode: 'inverse-frequency' }, counts, C), on: 'all' });
    expect(() => gradientLossOf({ loss: 'focal', gamma: 2, alpha: { mode: 'inverse-frequency' } }, null, C)).toThrow(/class counts/);
  });
});

describe('classHistogram', () => {
  it('bins one class’s probabilities by truth, p = 1 in the last bin', () => {
    // 2 classes; class 1: rows (p, y) = (0.05, 0), (0.15, 1), (0.95, 1), (1, 0), (0.5, 0)
    const probs = [0, 0.05, 0, 0.15, 0, 0.95, 0, 1, 0, 0.5];
    const truth = [0, 0, 0, 1, 0, 1, 0, 0, 0, 0];
    const h = classHistogram(probs, truth, 2, 1);
    expect(h.positives).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(h.negatives).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});
