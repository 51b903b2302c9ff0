/**
 * GapNet-PL, the model users train, on the wasm backend with the training kernels vs the cpu
 * backend: every weight's gradient, and a short SGD-momentum loss curve with dropout on. At
 * 32 px every GapNet-PL layer kind runs (stride-2 zero-pad convs, 'same' convs on maps smaller
 * than the filter, both max-pools, three global average pools, SELU, alpha dropout).
 * (The full 20-step curve: `npx tsx bench/wasm/train-step.ts --check-loss`.)
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../core/models/registry';
import { registerWasmTrainingKernels } from './registerWasmTrainingKernels';

const SIZE = 32;
const BATCH = 2;

function data() {
  const x = tf.randomNormal([BATCH, SIZE, SIZE, 4], 0, 1, 'float32', 11);
  const y = tf.cast(tf.greater(tf.randomUniform([BATCH, 28], 0, 1, 'float32', 12), 0.8), 'float32');
  return { x, y };
}

const loss = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, training: boolean) =>
  tf.losses.logLoss(y, model.apply(x, { training }) as tf.Tensor, undefined, 1e-7) as tf.Scalar;

/** Per weight (in model order): the gradient at the seeded initial point, dropout off. */
async function gradients(backend: string): Promise<{ name: string; values: Float32Array }[]> {
  await tf.setBackend(backend);
  const model = createModel('gapnet-pl', { inputSize: SIZE, seed: 1 });
  const { x, y } = data();
  const { grads } = tf.variableGrads(() => loss(model, x, y, false));
  const out = [];
  for (const w of model.trainableWeights) {
    const g = grads[(w.read() as unknown as { name: string }).name];
    out.push({ name: w.originalName, values: (await g.data()) as Float32Array });
  }
  tf.dispose([x, y, Object.values(grads)]);
  model.dispose();
  return out;
}

async function sgdLosses(backend: string, steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const model = createModel('gapnet-pl', { inputSize: SIZE, seed: 1 });
  const optimizer = tf.train.momentum(1e-2, 0.9);
  const { x, y } = data();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const l = optimizer.minimize(() => loss(model, x, y, true), true)!;
    losses.push((await l.data())[0]);
    l.dispose();
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return losses;
}

beforeAll(async () => {
  setWasmPaths(resolve(__dirname, '../../../node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  expect(await tf.setBackend('wasm')).toBe(true);
  registerWasmTrainingKernels();
});

describe('GapNet-PL trains on wasm as on cpu', () => {
  it('every weight gradient matches cpu (max |Δ| / max |cpu| < 1e-5), conv1 below both pools included', async () => {
    const want = await gradients('cpu');
    const got = await gradients('wasm');
    expect(got.map((g) => g.name)).toEqual(want.map((g) => g.name));
    expect(want.map((g) => g.name)).toContain('conv1/kernel');
    const errors = want.map(({ name, values }, i) => {
      let d = 0;
      let m = 0;
      for (let j = 0; j < values.length; j++) {
        d = Math.max(d, Math.abs(got[i].values[j] - values[j]));
        m = Math.max(m, Math.abs(values[j]));
      }
      return { name, rel: d / m };
    });
    expect(errors.filter((e) => !(e.rel < 1e-5))).toEqual([]);
  });

  it('20 SGD-momentum steps with dropout on follow the cpu loss curve to 1e-5', async () => {
    const cpu = await sgdLosses('cpu', 20);
    const wasm = await sgdLosses('wasm', 20);
    expect(Math.min(...cpu.slice(10))).toBeLessThan(cpu[0]); // it learns
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i] - cpu[i]) / cpu[i]).toBeLessThan(1e-5);
  });
});
