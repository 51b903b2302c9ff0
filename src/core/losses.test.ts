import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classWeights, inverseFrequency } from './classWeights';
import { TRAIN_COUNTS, TRAIN_IMAGES } from './labels';
import {
  bce,
  bceElements,
  combineLosses,
  describeLoss,
  focal,
  focalElements,
  makeLoss,
  softF1Loss,
  softF1PerClass,
  validateLossSpec,
  type LossSpec,
} from './losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const value = (t: tf.Tensor) => t.dataSync()[0];
const expectClose = (got: number[], want: number[], tol = 1e-6) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `element ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol));
};

// docs/domain.md §6, one class: y = [1,0,1,0], p = [0.9,0.2,0.4,0.6]
const y1 = () => tf.tensor2d([1, 0, 1, 0], [4, 1]);
const p1 = () => tf.tensor2d([0.9, 0.2, 0.4, 0.6], [4, 1]);
// §6 batch of 4 × 3 classes
const Y = () =>
  tf.tensor2d([
    [1, 0, 0],
    [0, 1, 0],
    [1, 1, 0],
    [0, 0, 0],
  ]);
const P = () =>
  tf.tensor2d([
    [0.9, 0.1, 0.2],
    [0.2, 0.7, 0.1],
    [0.4, 0.6, 0.3],
    [0.6, 0.2, 0.05],
  ]);

describe('docs/domain.md §6 test vectors (to 1e-6)', () => {
  it('BCE, one class: elements and mean', () => {
    expectClose(values(bceElements(y1(), p1())), [0.1053605, 0.2231436, 0.9162907, 0.9162907]);
    expectClose([value(bce(y1(), p1()))], [0.5402714]);
    expectClose([value(makeLoss({ kind: 'bce' }, undefined, 1)(y1(), p1()))], [0.5402714]);
  });

  it('focal α = .25 γ = 2, one class: elements and mean; without α: mean', () => {
    const a = { kind: 'scalar' as const, alpha: 0.25 };
    expectClose(values(focalElements(y1(), p1(), 2, a)), [0.0002634, 0.00669431, 0.08246617, 0.2473985]);
    expectClose([value(focal(y1(), p1(), 2, a))], [0.0842056]);
    expectClose([value(focal(y1(), p1(), 2))], [0.1674272]);
    const spec: LossSpec = { kind: 'focal', gamma: 2, alpha: { mode: 'scalar', value: 0.25 } };
    expectClose([value(makeLoss(spec, undefined, 1)(y1(), p1()))], [0.0842056]);
  });

  it('soft F1, one class: F1 0.6341463, loss 0.3658537', () => {
    expectClose(values(softF1PerClass(y1(), p1())), [0.6341463]);
    expectClose([value(softF1Loss(y1(), p1()))], [0.3658537]);
  });

  it('4 × 3 batch: soft F1 per class, its loss, BCE mean and focal mean', () => {
    expectClose(values(softF1PerClass(Y(), P())), [0.6341463, 0.7222222, 0]);
    expectClose([value(makeLoss({ kind: 'soft-f1' }, undefined, 3)(Y(), P()))], [0.5478772]);
    expectClose([value(makeLoss({ kind: 'bce' }, undefined, 3)(Y(), P()))], [0.3411302]);
    expectClose([value(makeLoss({ kind: 'focal', alpha: { mode: 'scalar', value: 0.25 } }, undefined, 3)(Y(), P()))], [0.0337018]);
  });

  it('BCE clips p to [1e-7, 1 − 1e-7] (in float32): a confident mistake costs ≈ 16, not infinity', () => {
    const e = values(bceElements(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]])));
    // float32(1 − 1e-7) = 1 − 1.19e-7, so the y = 0, p = 1 element is −ln(1.19e-7) = 15.94
    expectClose(e, [-Math.log(Math.fround(1e-7)), -Math.log(1 - Math.fround(1 - 1e-7))], 1e-4);
  });

  it('focal with γ = 0 and no α is BCE; sum-classes reduction is classes × mean', () => {
    expectClose([value(focal(Y(), P(), 0))], [0.3411302]);
    expectClose([value(makeLoss({ kind: 'bce', reduction: 'sum-classes' }, undefined, 3)(Y(), P()))], [3 * 0.3411302], 3e-6);
  });
});

describe('class weights and α modes', () => {
  it('inverse frequency N/n_c is 2.41 for class 0 and 2824.7 for class 27; normalised to mean 1', () => {
    const raw = inverseFrequency(TRAIN_COUNTS, TRAIN_IMAGES);
    expect(raw[0]).toBeCloseTo(2.41, 2);
    expect(raw[27]).toBeCloseTo(2824.7, 1);
    const w = classWeights({ mode: 'inverse-frequency' });
    expect(w.reduce((s, v) => s + v, 0) / 28).toBeCloseTo(1, 12);
    expect(w[27] / w[0]).toBeCloseTo(12885 / 11, 9);
  });

  it('log-damped w_c = max(1, ln(0.5 · 50782 / n_c)): 1 for class 0, ln(2308.3) for class 27', () => {
    const w = classWeights({ mode: 'log-damped' });
    expect(w[0]).toBe(1);
    expect(w[27]).toBeCloseTo(Math.log((0.5 * 50782) / 11), 12);
    expect(w[8]).toBeCloseTo(Math.log((0.5 * 50782) / 53), 12);
  });

  it("class weights multiply every element of their class ('all') or only positives ('positive')", () => {
    const counts = [2, 1, 1];
    const plain = values(focalElements(Y(), P(), 2));
    const w = classWeights({ mode: 'inverse-frequency' }, counts, 3); // [0.5, 1, 1] / (5/6)... → mean 1
    const all = values(focalElements(Y(), P(), 2, { kind: 'class', weights: w, on: 'all' }));
    const pos = values(focalElements(Y(), P(), 2, { kind: 'class', weights: w, on: 'positive' }));
    const y = values(Y());
    plain.forEach((e, i) => {
      expect(all[i]).toBeCloseTo(e * w[i % 3], 6);
      expect(pos[i]).toBeCloseTo(y[i] ? e * w[i % 3] : e, 6);
    });
    const viaSpec = value(makeLoss({ kind: 'focal', alpha: { mode: 'inverse-frequency', on: 'positive' } }, counts, 3)(Y(), P()));
    expect(viaSpec).toBeCloseTo(pos.reduce((s, v) => s + v, 0) / 12, 6);
  });

  it('a user vector is used as given; count-based modes without counts are an error', () => {
    const v = [1, 2, 3];
    const got = value(makeLoss({ kind: 'bce', alpha: { mode: 'vector', values: v } }, undefined, 3)(Y(), P()));
    const e = values(bceElements(Y(), P()));
    expect(got).toBeCloseTo(e.reduce((s, x, i) => s + x * v[i % 3], 0) / 12, 6);
    expect(() => makeLoss({ kind: 'focal', alpha: { mode: 'log-damped' } })).toThrow(/class counts/);
    expect(() => makeLoss({ kind: 'bce', alpha: { mode: 'vector', values: [1, 2] } }, undefined, 3)).toThrow(/3 numbers/);
  });
});

describe('combinations and specs', () => {
  it('combineLosses is the weighted sum; a combined spec equals it', () => {
    const f = combineLosses([
      { loss: (a, b) => bce(a, b), weight: 0.5 },
      { loss: (a, b) => softF1Loss(a, b), weight: 2 },
    ]);
    expectClose([value(f(Y(), P()))], [0.5 * 0.3411302 + 2 * 0.5478772], 2e-6);
    const spec: LossSpec = {
      kind: 'combined',
      terms: [
        { weight: 0.5, loss: { kind: 'bce' } },
        { weight: 2, loss: { kind: 'soft-f1' } },
      ],
    };
    expectClose([value(makeLoss(JSON.parse(JSON.stringify(spec)), undefined, 3)(Y(), P()))], [0.5 * 0.3411302 + 2 * 0.5478772], 2e-6);
    expect(describeLoss(spec)).toBe('0.5·BCE + 2·soft F1');
  });

  it('−ln soft F1 form', () => {
    expectClose([value(makeLoss({ kind: 'soft-f1', form: 'neg-log' }, undefined, 3)(Y(), P()))], [-Math.log(1 - 0.5478772)]);
  });

  it('validateLossSpec names the bad field', () => {
    expect(() => validateLossSpec({ kind: 'focal', gamma: -1 })).toThrow(/loss: gamma/);
    expect(() => validateLossSpec({ kind: 'focal', alpha: { mode: 'inverse' } })).toThrow(/alpha.mode 'inverse'/);
    expect(() => validateLossSpec({ kind: 'combined', terms: [{ weight: 1, loss: { kind: 'dice' } }] })).toThrow(/loss.terms\[0\].loss: kind 'dice'/);
    expect(() => validateLossSpec(null)).toThrow(/kind/);
    expect(validateLossSpec({ kind: 'focal', gamma: 2, alpha: { mode: 'inverse-frequency' } })).toEqual({
      kind: 'focal',
      gamma: 2,
      alpha: { mode: 'inverse-frequency' },
    });
  });

  it('losses leave no tensors behind', () => {
    const y = Y(),
      p = P();
    const f = makeLoss(
      {
        kind: 'combined',
        terms: [
          { weight: 1, loss: { kind: 'focal', alpha: { mode: 'log-damped' } } },
          { weight: 1, loss: { kind: 'soft-f1' } },
        ],
      },
      [2, 1, 1],
      3,
    );
    const before = tf.memory().numTensors;
    f(y, p).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gradients: tf.grad against central differences (float32)', () => {
  // 5 × 4 batch, probabilities in [0.15, 0.85] (away from the clip), every class with positives and negatives
  const yv = [
    [1, 0, 1, 0],
    [0, 1, 0, 0],
    [1, 1, 0, 1],
    [0, 0, 1, 0],
    [1, 0, 0, 1],
  ];
  const pv = [
    [0.8, 0.3, 0.6, 0.2],
    [0.25, 0.7, 0.4, 0.15],
    [0.55, 0.45, 0.35, 0.65],
    [0.3, 0.2, 0.85, 0.5],
    [0.7, 0.6, 0.25, 0.4],
  ];
  const counts = [3, 2, 2, 2];
  const specs: LossSpec[] = [
    { kind: 'bce' },
    { kind: 'bce', reduction: 'sum-classes', alpha: { mode: 'scalar', value: 0.3 } },
    { kind: 'focal', gamma: 2 },
    { kind: 'focal', gamma: 2, alpha: { mode: 'scalar', value: 0.25 } },
    { kind: 'focal', gamma: 1.5, alpha: { mode: 'inverse-frequency' } },
    { kind: 'focal', gamma: 2, alpha: { mode: 'log-damped', mu: 2, on: 'positive' } },
    { kind: 'focal', gamma: 2, alpha: { mode: 'vector', values: [1, 2, 0.5, 3] } },
    { kind: 'soft-f1' },
    { kind: 'soft-f1', form: 'neg-log' },
    {
      kind: 'combined',
      terms: [
        { weight: 0.5, loss: { kind: 'focal' } },
        { weight: 0.5, loss: { kind: 'soft-f1' } },
      ],
    },
  ];

  for (const spec of specs) {
    it(describeLoss(spec), () => {
      const loss = makeLoss(spec, counts, 4);
      const y = tf.tensor2d(yv);
      const analytic = values(tf.grad((p: tf.Tensor) => loss(y, p))(tf.tensor2d(pv)));
      const flat = pv.flat();
      const h = 3e-3; // measured best for float32 here: truncation and rounding errors ≈ 1e-5
      const at = (i: number, d: number) => {
        const q = flat.slice();
        q[i] += d;
        return tf.tidy(() => value(loss(y, tf.tensor2d(q, [5, 4]))));
      };
      const numeric = flat.map((_, i) => (at(i, h) - at(i, -h)) / (2 * h));
      const scale = Math.max(...analytic.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      analytic.forEach((g, i) => expect(Math.abs(g - numeric[i]), `∂/∂p[${i}]: ${g} vs ${numeric[i]}`).toBeLessThanOrEqual(1e-3 * scale + 1e-5));
    });
  }
});
