/**
 * The kernels GapNet-PL's backward pass runs, wasm (with src/accel/wasm's kernels) vs cpu, at
 * GapNet-PL shapes on seeded random inputs: value and gradient. Found tfjs-backend-wasm 4.22's
 * MaxPoolGrad bug (all-negative windows); see maxPoolGrad.ts.
 *
 *   npx tsx bench/wasm/kernel-diff.ts [--builtin]   (--builtin: tfjs's own wasm MaxPoolGrad)
 */
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../src/cli/wasmBackend';

await useWasmBackend();
if (process.argv.includes('--builtin')) {
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  const own = (await import('@tensorflow/tfjs-backend-wasm/dist/kernels/MaxPoolGrad.js')) as { maxPoolGradConfig: tf.KernelConfig };
  tf.registerKernel(own.maxPoolGradConfig);
}

async function onBoth(f: () => tf.Tensor) {
  await tf.setBackend('wasm');
  const a = await f().data();
  await tf.setBackend('cpu');
  const b = await f().data();
  let d = 0,
    m = 0,
    n = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (e > 1e-5 * Math.max(1, Math.abs(b[i]))) n++;
    d = Math.max(d, e);
    m = Math.max(m, Math.abs(b[i]));
  }
  return `rel ${(d / (m || 1)).toExponential(1)} (${n}/${b.length} differ)`;
}
const data = (s: number[], seed: number) => Array.from(tf.randomNormal(s, 0, 1, 'float32', seed).dataSync());
const grad = (f: (x: tf.Tensor) => tf.Tensor, xs: number[], shape: number[], dys: number[]) =>
  tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), tf.tensor(dys, f(tf.zeros(shape)).shape))))(tf.tensor(xs, shape));

for (const s of [
  [4, 16, 16, 32],
  [4, 4, 4, 64],
  [2, 5, 5, 3],
]) {
  const [B, H, W, C] = s;
  const xs = data(s, 1),
    o = [B, Math.ceil(H / 2), Math.ceil(W / 2), C],
    dys = data(o, 2);
  const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same');
  console.log(`${s.join('×')}  MaxPool ${await onBoth(() => pool(tf.tensor(xs, s)))}  MaxPoolGrad ${await onBoth(() => grad(pool, xs, s, dys))}`);
  const selu = (x: tf.Tensor) => tf.selu(x);
  console.log(`${s.join('×')}  Selu ${await onBoth(() => selu(tf.tensor(xs, s)))}  grad ${await onBoth(() => grad(selu, xs, s, data(s, 3)))}`);
  const gap = (x: tf.Tensor) => tf.mean(x, [1, 2]);
  console.log(`${s.join('×')}  GAP mean ${await onBoth(() => gap(tf.tensor(xs, s)))}  grad ${await onBoth(() => grad(gap, xs, s, data([B, C], 4)))}`);
  const zp = (x: tf.Tensor) =>
    tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
  console.log(`${s.join('×')}  zero-pad grad ${await onBoth(() => grad(zp, xs, s, data([B, H + 2, W + 2, C], 5)))}`);
}
const parts = [
  [4, 32],
  [4, 64],
  [4, 128],
];
const ps = parts.map((p, i) => data(p, 10 + i));
const cat = (x: tf.Tensor) => tf.concat([x, tf.tensor(ps[1], [4, 64]), tf.tensor(ps[2], [4, 128])], 1);
console.log(`concat 32+64+128 grad ${await onBoth(() => grad(cat, ps[0], [4, 32], data([4, 224], 13)))}`);
