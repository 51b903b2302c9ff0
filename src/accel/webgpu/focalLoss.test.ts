/**
 * The fused loss's self-check, its gradient and the losses' use of it, in Node on the cpu backend
 * with cpu kernels of the same formulas (the WGSL itself runs in the e2e webgpu test, where the
 * check must pass): a correct kernel set is used by makeLoss, gives the ops' values and gradients
 * for every form and weighting, and passes; a wrong one is caught and unregistered, and the loss
 * runs as ops again.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPSILON, FOCAL_LOSS, FOCAL_LOSS_GRAD, FOCAL_LOSS_WEIGHTED, makeLoss, type FusedLossAttrs, type LossSpec } from '../../core/losses';
import { registerWebGpuFocalLoss, verifyFocalLoss } from './focalLoss';

type CpuBackend = { data: { get(id: tf.DataId): { values: Float32Array } }; makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo };
const [LO, HI] = [Math.fround(EPSILON), Math.fround(1 - EPSILON)];

const alphaT = (a: FusedLossAttrs, y: number, c: number, w?: Float32Array) =>
  a.on === 'all' ? w![c] : a.on === 'positive' ? y * w![c] + (1 - y) : y * a.aPos + (1 - y) * a.aNeg;
function element(a: FusedLossAttrs, y: number, p: number): number {
  if (a.form === 'bce') return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
  const pt = y * p + (1 - y) * (1 - p);
  return -((1 - pt) ** a.gamma) * Math.log(pt);
}
function slope(a: FusedLossAttrs, y: number, p: number): number {
  if (a.form === 'bce') return -y / p + (1 - y) / (1 - p);
  const pt = y * p + (1 - y) * (1 - p);
  const q = 1 - pt;
  return (2 * y - 1) * (-(q ** a.gamma) / pt + (a.gamma ? a.gamma * q ** (a.gamma - 1) * Math.log(pt) : 0));
}

/** cpu kernels of the WGSL's formulas; `skew` multiplies the gradient (1 = right) */
function register(skew = 1) {
  for (const n of [FOCAL_LOSS, FOCAL_LOSS_WEIGHTED, FOCAL_LOSS_GRAD]) if (tf.getKernel(n, 'cpu')) tf.unregisterKernel(n, 'cpu');
  const vals = (be: CpuBackend, t?: tf.TensorInfo) => (t ? be.data.get(t.dataId).values : undefined);
  for (const name of [FOCAL_LOSS, FOCAL_LOSS_WEIGHTED]) {
    tf.registerKernel({
      kernelName: name,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const be = backend as unknown as CpuBackend;
        const a = attrs as unknown as FusedLossAttrs;
        const [y, p, w] = [vals(be, inputs.yTrue)!, vals(be, inputs.yPred)!, vals(be, inputs.w)];
        const classes = inputs.yPred!.shape[1];
        let sum = 0;
        y.forEach((yi, i) => (sum += alphaT(a, yi, i % classes, w) * element(a, yi, Math.min(HI, Math.max(LO, p[i])))));
        return be.makeTensorInfo([], 'float32', Float32Array.of(sum * a.scale));
      },
    });
  }
  tf.registerKernel({
    kernelName: FOCAL_LOSS_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as CpuBackend;
      const a = attrs as unknown as FusedLossAttrs;
      const [dy, y, p, w] = [vals(be, inputs.dy)!, vals(be, inputs.yTrue)!, vals(be, inputs.yPred)!, vals(be, inputs.w)];
      const classes = inputs.yPred!.shape[1];
      const g = p.map((pi, i) => (pi >= LO && pi <= HI ? dy[0] * a.scale * alphaT(a, y[i], i % classes, w) * slope(a, y[i], pi) * skew : 0));
      return be.makeTensorInfo(inputs.yPred!.shape, 'float32', g);
    },
  });
}

const SPECS: LossSpec[] = [
  { kind: 'bce' },
  { kind: 'focal' },
  { kind: 'focal', gamma: 1.5, alpha: { mode: 'scalar', value: 0.25 }, reduction: 'sum-classes' },
  { kind: 'focal', alpha: { mode: 'vector', values: Array.from({ length: 28 }, (_, c) => 0.5 + (c % 4) * 0.5) } },
  { kind: 'bce', alpha: { mode: 'vector', values: Array.from({ length: 28 }, (_, c) => 1 + (c % 3)), on: 'positive' } },
];

async function valueAndGrad(spec: LossSpec, y: tf.Tensor, p: tf.Tensor) {
  const loss = makeLoss(spec);
  const [v, g] = [loss(y, p), tf.grad((q: tf.Tensor) => loss(y, q))(p)];
  const out = { v: (await v.data())[0], g: await g.data() };
  tf.dispose([v, g]);
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerWebGpuFocalLoss(); // registers the gradients (and the webgpu kernels, unused here)
});
afterAll(() => {
  for (const n of [FOCAL_LOSS, FOCAL_LOSS_WEIGHTED, FOCAL_LOSS_GRAD]) if (tf.getKernel(n, 'cpu')) tf.unregisterKernel(n, 'cpu');
});

describe('fused BCE / focal loss', () => {
  const y = tf.tensor2d(
    Array.from({ length: 6 * 28 }, (_, i) => ((i * 5) % 9 < 2 ? 1 : 0)),
    [6, 28],
  );
  const p = tf.tensor2d(
    Array.from({ length: 6 * 28 }, (_, i) => (i === 0 ? 0 : i === 1 ? 1 : 0.5 + 0.49 * Math.sin(i * 0.9))),
    [6, 28],
  );

  it('says so when the backend has no kernel, and the loss then runs tfjs ops', async () => {
    expect(await verifyFocalLoss()).toBe('not available on cpu');
    const info = await tf.profile(() => makeLoss({ kind: 'focal' })(y, p));
    expect(info.kernels.map((k) => k.name)).toContain('ClipByValue');
  });

  it('passes a correct kernel set, which every loss then uses: one kernel forward, the same values and gradients as the ops', async () => {
    const ops = await Promise.all(SPECS.map((s) => valueAndGrad(s, y, p)));
    register();
    expect(await verifyFocalLoss()).toBeNull();
    for (const [k, spec] of SPECS.entries()) {
      const names = (await tf.profile(() => makeLoss(spec)(y, p))).kernels.map((x) => x.name);
      expect(names).toContain('alpha' in spec && spec.alpha?.mode === 'vector' ? FOCAL_LOSS_WEIGHTED : FOCAL_LOSS);
      expect(names).not.toContain('ClipByValue');
      const fused = await valueAndGrad(spec, y, p);
      expect(fused.v).toBeCloseTo(ops[k].v, 5);
      expect(Array.from(fused.g).filter((g) => g === 0)).toHaveLength(2); // p = 0 and p = 1 are clipped: no gradient
      for (let i = 0; i < fused.g.length; i++) expect(Math.abs(fused.g[i] - ops[k].g[i])).toBeLessThanOrEqual(1e-5 * Math.max(1e-3, Math.abs(ops[k].g[i])));
    }
  });

  it('catches a gradient off by 0.01 %, unregisters the kernels, and the loss runs its ops again', async () => {
    register(1.0001);
    expect(await verifyFocalLoss()).toMatch(
      /^self-check failed on cpu \(bce, no α, mean, \[5, 28\], gradient element \d+ \(p=[\d.e-]+, y=[01]\): -?[\d.e+-]+ vs -?[\d.e+-]+\); the loss runs as tfjs ops$/,
    );
    for (const n of [FOCAL_LOSS, FOCAL_LOSS_WEIGHTED, FOCAL_LOSS_GRAD]) expect(tf.getKernel(n, 'cpu')).toBeUndefined();
    expect((await tf.profile(() => makeLoss({ kind: 'bce' })(y, p))).kernels.map((k) => k.name)).toContain('ClipByValue');
  });
});
