/**
 * The fused Adam against tfjs's AdamOptimizer on cpu and wasm: the same weights, moments and
 * losses over a real model's training steps, checkpoints that resume in either, and the
 * kernel count it exists to cut.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../core/models/registry';
import { registerWasmTrainingKernels } from './wasm/registerWasmTrainingKernels';
import { ADAM_UPDATE, adamUpdateValues, createAdam, FusedAdamOptimizer, hasFusedAdam, registerFusedAdam, verifyFusedAdam } from './fusedAdam';

beforeAll(() => {
  setWasmPaths(resolve(__dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  registerWasmTrainingKernels();
  registerFusedAdam();
});

function batch(seed: number) {
  const x = tf.randomUniform([2, 32, 32, 4], 0, 255, 'float32', seed);
  const y = tf.cast(tf.greater(tf.randomUniform([2, 28], 0, 1, 'float32', seed + 1), 0.7), 'float32');
  return { x, y };
}

/** Trains GapNet-PL (32 px, batch 2) for `steps` Adam steps; returns losses, weights and the optimizer's state. */
async function trainSteps(makeOptimizer: () => tf.Optimizer, steps: number) {
  const model = createModel('gapnet-pl', { inputSize: 32, seed: 7 });
  const opt = makeOptimizer();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y } = batch(100 + s);
    const loss = opt.minimize(() => tf.losses.logLoss(y, model.apply(x, { training: true }) as tf.Tensor, undefined, 1e-7) as tf.Scalar, true)!;
    losses.push((await loss.data())[0]);
    tf.dispose([x, y, loss]);
  }
  const weights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
  const state = await opt.getWeights();
  const slots = { names: state.map((s) => s.name), values: await Promise.all(state.map(async (s) => Float32Array.from(await s.tensor.data()))) };
  opt.dispose();
  model.dispose();
  return { losses, weights, slots };
}

function maxRelDiff(a: Float32Array[], b: Float32Array[], floor: number): number {
  let worst = 0;
  a.forEach((x, k) => x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k][i]) / Math.max(Math.abs(b[k][i]), floor)))));
  return worst;
}

describe('the update maths', () => {
  it("matches tfjs's Adam formula on hand-made values (first step: w moves by lr·sign(g))", () => {
    const w = Float32Array.of(1, -2, 0.5, 3);
    const g = Float32Array.of(0.5, -4, 0, 1e-3);
    const m = new Float32Array(4),
      v = new Float32Array(4);
    const out = [new Float32Array(4), new Float32Array(4), new Float32Array(4)];
    adamUpdateValues(w, g, m, v, { beta1: 0.9, beta2: 0.999, c1: 1 - 0.9, c2: 1 - 0.999, learningRate: 0.01, epsilon: 1e-7 }, out[0], out[1], out[2]);
    // at t = 1, m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε): ±lr, and 0 where g = 0
    expect(Array.from(out[0])).toEqual([1 - 0.01, -2 + 0.01, 0.5, 3 - 0.01].map((e, i) => expect.closeTo(i === 3 ? 3 - 0.01 * (1e-3 / (1e-3 + 1e-7)) : e, 6)));
    expect(Array.from(out[1])).toEqual([0.05, -0.4, 0, 1e-4].map((e) => expect.closeTo(e, 7)));
    expect(out[2][1]).toBeCloseTo(0.001 * 16, 7);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    it('has the kernel, and the start-up self-check passes', async () => {
      expect(hasFusedAdam()).toBe(true);
      expect(await verifyFusedAdam()).toBeNull();
      expect(createAdam(1e-3)).toBeInstanceOf(FusedAdamOptimizer);
    });

    it("trains GapNet-PL exactly as tfjs's Adam does: the same losses, weights and moments after 8 steps", async () => {
      const stock = await trainSteps(() => tf.train.adam(1e-3), 8);
      const fused = await trainSteps(() => new FusedAdamOptimizer(1e-3, 0.9, 0.999), 8);
      // iter, <weight>/m…, <weight>/v… (tfjs numbers the second model's weights: conv1/kernel_1)
      const plain = (names: string[]) => names.map((n) => n.replace(/_\d+\//, '/'));
      expect(plain(fused.slots.names)).toEqual(plain(stock.slots.names));
      expect(fused.slots.names).toContain(fused.slots.names.find((n) => /^conv1\/kernel(_\d+)?\/m$/.test(n)));
      expect(fused.slots.values[0][0]).toBe(8); // iterations
      // the same float32 operations in the same order (β^t included): bit for bit
      expect(fused.losses).toEqual(stock.losses);
      expect(maxRelDiff(fused.weights, stock.weights, 1e-30)).toBe(0);
      expect(maxRelDiff(fused.slots.values.slice(1), stock.slots.values.slice(1), 1e-30)).toBe(0);
      // and it did learn: the loss of the repeated first batch is not where it started
      expect(fused.losses[0]).not.toBe(fused.losses[7]);
    });

    it('runs one kernel per weight where tfjs runs fourteen', async () => {
      const count = async (opt: tf.Optimizer) => {
        const w = [tf.variable(tf.ones([3, 3, 4, 8])), tf.variable(tf.zeros([8]))];
        const grads = () => Object.fromEntries(w.map((v) => [v.name, tf.onesLike(v)]));
        const g = grads();
        opt.applyGradients(g); // the first step also creates the moments
        const info = await tf.profile(() => opt.applyGradients(g));
        tf.dispose([...w, ...Object.values(g)]);
        opt.dispose();
        return info.kernels.filter((k) => k.name !== 'Reshape').map((k) => k.name);
      };
      const fused = await count(createAdam(1e-3));
      const stock = await count(tf.train.adam(1e-3));
      expect(fused.filter((k) => k === ADAM_UPDATE)).toHaveLength(2);
      expect(fused.length).toBeLessThanOrEqual(4); // + the two β-power products
      expect(stock.length).toBe(2 * 14 + 4);
    });

    it("writes checkpoints tfjs's Adam resumes, and resumes tfjs's", async () => {
      const v = tf.variable(tf.tensor1d([0.5, -1, 2, 0]));
      const g = () => ({ [v.name]: tf.tensor1d([0.1, -0.2, 0.3, 0]) });
      const fused = new FusedAdamOptimizer(1e-2, 0.9, 0.999);
      for (let i = 0; i < 3; i++) fused.applyGradients(g());
      const saved = await fused.getWeights();
      const stock = tf.train.adam(1e-2);
      await stock.setWeights(saved.map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
      const back = new FusedAdamOptimizer(1e-2, 0.9, 0.999);
      await back.setWeights(saved.map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
      const start = await v.data();
      const after = async (opt: tf.Optimizer) => {
        v.assign(tf.tensor1d(start));
        opt.applyGradients(g());
        return v.data();
      };
      const a = await after(stock);
      const b = await after(back);
      for (let i = 0; i < 4; i++) expect(b[i]).toBeCloseTo(a[i], 6);
      expect(a[0]).not.toBeCloseTo(start[0], 4); // the step moved it
      tf.dispose([v]);
      [fused, stock, back].forEach((o) => o.dispose());
    });

    it('leaves no tensors behind', () => {
      const v = tf.variable(tf.randomNormal([64]));
      const opt = new FusedAdamOptimizer(1e-3, 0.9, 0.999);
      opt.applyGradients({ [v.name]: tf.onesLike(v) }); // creates the moments
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const g = tf.onesLike(v);
        opt.applyGradients({ [v.name]: g });
        g.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      v.dispose();
    });
  });
}

// last: a failed check turns the fused kernel off for the rest of this process
describe('a kernel that gets the maths wrong', () => {
  it("is caught by the start-up check, which turns it off: training then runs tfjs's Adam", async () => {
    await tf.setBackend('cpu');
    tf.unregisterKernel(ADAM_UPDATE, 'cpu');
    // bias correction left out: m' and v' right, w' off by the factor √(c2)/c1
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const a = { ...(attrs as unknown as Parameters<typeof adamUpdateValues>[4]), c1: 1, c2: 1 };
        const be = backend as unknown as {
          data: { get(id: tf.DataId): { values: Float32Array } };
          makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo;
        };
        const [w, g, m, v] = (['w', 'g', 'm', 'v'] as const).map((k) => be.data.get((inputs[k] as tf.TensorInfo).dataId).values);
        const outs = [new Float32Array(w.length), new Float32Array(w.length), new Float32Array(w.length)];
        adamUpdateValues(w, g, m, v, a, outs[0], outs[1], outs[2]);
        return outs.map((o) => be.makeTensorInfo([...(inputs.w as tf.TensorInfo).shape], 'float32', o));
      },
    });
    const why = await verifyFusedAdam();
    expect(why).toMatch(/^self-check failed on cpu \(weight [01]\[\d+\]: .* vs tfjs .*\); training uses tfjs's Adam$/);
    expect(hasFusedAdam()).toBe(false);
    registerFusedAdam(); // does not bring it back
    expect(hasFusedAdam()).toBe(false);
    const stock = await trainSteps(() => tf.train.adam(1e-3), 2);
    const fallback = await trainSteps(() => createAdam(1e-3), 2);
    expect(fallback.losses).toEqual(stock.losses);
    expect(maxRelDiff(fallback.weights, stock.weights, 1e-30)).toBe(0);
  });
});
