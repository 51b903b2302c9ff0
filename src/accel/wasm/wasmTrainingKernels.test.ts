/**
 * The wasm training kernels against tfjs's cpu backend, on seeded random inputs, for the
 * strides, paddings and shapes our models use (GapNet-PL, gapnet-kaggle 'valid', MobileNetV2
 * depthwise), plus gradients through the tape, memory, and a short training run.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputNormalization, PER_IMAGE_STANDARDIZE } from '../../core/models/layers/inputNormalization';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './registerWasmTrainingKernels';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

interface Inputs {
  [name: string]: { shape: number[]; seed: number };
}

/** Runs one kernel on a backend from the same seeded inputs; returns its values and shape. */
async function runOn(backend: string, kernel: string, inputs: Inputs, attrs: object): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const ts: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs))
    ts[k] = tf.tensor(
      randomArray(
        v.shape.reduce((a, b) => a * b, 1),
        v.seed,
      ),
      v.shape,
    );
  const before = tf.memory().numTensors;
  // IS_TEST makes the engine check the kernel for leaked backend buffers. (Only here: on wasm
  // that check misfires on every customGrad op, whose saved clones are real copies there.)
  tf.env().set('IS_TEST', true);
  let out: tf.Tensor;
  try {
    out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  } finally {
    tf.env().set('IS_TEST', false);
  }
  expect(tf.memory().numTensors).toBe(before + 1); // the kernel keeps nothing but its output
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  Object.values(ts).forEach((t) => t.dispose());
  return { values, shape };
}

function maxRelativeError(got: Float32Array, want: Float32Array): number {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(want[i]));
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  return maxDiff / maxAbs;
}

async function expectSameAsCpu(kernel: string, inputs: Inputs, attrs: object): Promise<void> {
  const want = await runOn('cpu', kernel, inputs, attrs);
  const got = await runOn('wasm', kernel, inputs, attrs);
  expect(got.shape).toEqual(want.shape);
  expect(maxRelativeError(got.values, want.values)).toBeLessThan(1e-4);
}

function outSize(inSize: number, k: number, s: number, pad: Pad, axis: 1 | 2, dilation = 1): number {
  const ke = (k - 1) * dilation + 1;
  if (pad === 'same') return Math.ceil(inSize / s);
  if (pad === 'valid') return Math.floor((inSize - ke) / s) + 1;
  const [a, b] = pad[axis];
  return Math.floor((inSize + a + b - ke) / s) + 1;
}

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: Pad;
}

const explicit: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];
const convCases: ConvCase[] = [
  { name: 'GapNet-PL conv1 4→32 s2 (zero-pad 1 + valid)', x: [2, 18, 18, 4], k: 3, cout: 32, stride: 2, pad: 'valid' },
  { name: 'GapNet-PL conv2 32→64 s2 (zero-pad 1 + valid)', x: [2, 10, 10, 32], k: 3, cout: 64, stride: 2, pad: 'valid' },
  { name: '4→32 s2 same, even input', x: [2, 16, 16, 4], k: 3, cout: 32, stride: 2, pad: 'same' },
  { name: '4→32 s2 same, odd input', x: [2, 17, 15, 4], k: 3, cout: 32, stride: 2, pad: 'same' },
  { name: 'GapNet-PL conv3 64→64 s1 same', x: [2, 8, 8, 64], k: 3, cout: 64, stride: 1, pad: 'same' },
  { name: 'GapNet-PL conv6 64→128 s1 same', x: [2, 6, 6, 64], k: 3, cout: 128, stride: 1, pad: 'same' },
  { name: 'GapNet-PL conv7 128→128 s1 same', x: [2, 5, 5, 128], k: 3, cout: 128, stride: 1, pad: 'same' },
  { name: 'GapNet-PL conv6 at 32 px input: 2×2 maps, smaller than the filter', x: [2, 2, 2, 64], k: 3, cout: 128, stride: 1, pad: 'same' },
  { name: '1×1 maps, s1 same', x: [2, 1, 1, 8], k: 3, cout: 4, stride: 1, pad: 'same' },
  { name: 'gapnet-kaggle 32→64 s2 valid, odd input', x: [2, 13, 13, 32], k: 3, cout: 64, stride: 2, pad: 'valid' },
  { name: 'gapnet-kaggle 64→64 s1 valid', x: [2, 9, 9, 64], k: 3, cout: 64, stride: 1, pad: 'valid' },
  { name: 'explicit padding s1', x: [2, 9, 8, 5], k: 3, cout: 6, stride: 1, pad: explicit },
  { name: 'explicit padding s2', x: [2, 9, 8, 5], k: 3, cout: 6, stride: 2, pad: explicit },
  { name: '1×1 s2 (taps fewer than stride phases)', x: [2, 7, 7, 8], k: 1, cout: 8, stride: 2, pad: 'same' },
  { name: '5×5 s2 same', x: [1, 11, 11, 3], k: 5, cout: 4, stride: 2, pad: 'same' },
];

beforeAll(async () => {
  setWasmPaths(resolve(__dirname, '../../../node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  expect(await tf.setBackend('wasm')).toBe(true);
  registerWasmTrainingKernels();
});

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  for (const c of convCases) {
    it(c.name, async () => {
      const [b, h, w, cin] = c.x;
      const dy = [b, outSize(h, c.k, c.stride, c.pad, 1), outSize(w, c.k, c.stride, c.pad, 2), c.cout];
      await expectSameAsCpu(
        'Conv2DBackpropFilter',
        { x: { shape: c.x, seed: 1 }, dy: { shape: dy, seed: 2 } },
        {
          strides: [c.stride, c.stride],
          pad: c.pad,
          dataFormat: 'NHWC',
          filterShape: [c.k, c.k, cin, c.cout],
        },
      );
    });
  }
});

describe('Conv2DBackpropInput on wasm matches cpu', () => {
  for (const c of convCases) {
    it(c.name, async () => {
      const [b, h, w, cin] = c.x;
      const dy = [b, outSize(h, c.k, c.stride, c.pad, 1), outSize(w, c.k, c.stride, c.pad, 2), c.cout];
      await expectSameAsCpu(
        'Conv2DBackpropInput',
        { dy: { shape: dy, seed: 3 }, filter: { shape: [c.k, c.k, cin, c.cout], seed: 4 } },
        {
          strides: [c.stride, c.stride],
          pad: c.pad,
          dataFormat: 'NHWC',
          inputShape: c.x,
        },
      );
    });
  }

  it('GapNet-PL conv1 at a modest size (batch 4, 66 px padded, 4→32 s2)', async () => {
    const attrs = { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC' };
    await expectSameAsCpu(
      'Conv2DBackpropFilter',
      { x: { shape: [4, 66, 66, 4], seed: 5 }, dy: { shape: [4, 32, 32, 32], seed: 6 } },
      { ...attrs, filterShape: [3, 3, 4, 32] },
    );
    await expectSameAsCpu(
      'Conv2DBackpropInput',
      { dy: { shape: [4, 32, 32, 32], seed: 7 }, filter: { shape: [3, 3, 4, 32], seed: 8 } },
      { ...attrs, inputShape: [4, 66, 66, 4] },
    );
  });

  it('NCHW data format', async () => {
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW' };
    await expectSameAsCpu(
      'Conv2DBackpropFilter',
      { x: { shape: [2, 4, 9, 8], seed: 9 }, dy: { shape: [2, 6, 5, 4], seed: 10 } },
      { ...attrs, filterShape: [3, 3, 4, 6] },
    );
    await expectSameAsCpu(
      'Conv2DBackpropInput',
      { dy: { shape: [2, 6, 5, 4], seed: 11 }, filter: { shape: [3, 3, 4, 6], seed: 12 } },
      { ...attrs, inputShape: [2, 4, 9, 8] },
    );
  });
});

interface DepthwiseCase {
  name: string;
  x: [number, number, number, number];
  mult: number;
  stride: number;
  pad: Pad;
  dilation: number;
}

const depthwiseCases: DepthwiseCase[] = [
  { name: 'MobileNetV2 3×3 s1 same', x: [2, 10, 10, 16], mult: 1, stride: 1, pad: 'same', dilation: 1 },
  { name: 'MobileNetV2 3×3 s2 same, even input', x: [2, 12, 12, 16], mult: 1, stride: 2, pad: 'same', dilation: 1 },
  { name: '3×3 s2 same, odd input', x: [2, 11, 9, 8], mult: 1, stride: 2, pad: 'same', dilation: 1 },
  { name: '3×3 s2 valid', x: [2, 11, 11, 8], mult: 1, stride: 2, pad: 'valid', dilation: 1 },
  { name: '3×3 s1 explicit padding', x: [2, 9, 8, 8], mult: 1, stride: 1, pad: explicit, dilation: 1 },
  { name: 'channel multiplier 2, s2', x: [2, 9, 9, 4], mult: 2, stride: 2, pad: 'same', dilation: 1 },
];

describe('depthwise backprop kernels on wasm match cpu', () => {
  for (const c of depthwiseCases) {
    it(c.name, async () => {
      const [b, h, w, ch] = c.x;
      const dy = [b, outSize(h, 3, c.stride, c.pad, 1, c.dilation), outSize(w, 3, c.stride, c.pad, 2, c.dilation), ch * c.mult];
      const attrs = { strides: [c.stride, c.stride], pad: c.pad, dilations: [c.dilation, c.dilation] };
      await expectSameAsCpu(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: { shape: c.x, seed: 13 }, dy: { shape: dy, seed: 14 } },
        { ...attrs, filterShape: [3, 3, ch, c.mult] },
      );
      await expectSameAsCpu(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: { shape: dy, seed: 15 }, filter: { shape: [3, 3, ch, c.mult], seed: 16 } },
        { ...attrs, inputShape: c.x },
      );
    });
  }
});

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

// tfjs-backend-wasm 4.22's own MaxPoolGrad sends the gradient of an all-negative window to the
// wrong place (or nowhere); inputs uniform in [−0.5, 0.5) make 1 window in 16 all-negative.
const poolCases: PoolCase[] = [
  { name: 'GapNet-PL pool1 2×2 s2 same, even input', x: [2, 16, 16, 32], k: 2, stride: 2, pad: 'same' },
  { name: 'GapNet-PL pool2 2×2 s2 same at 32 px', x: [4, 4, 4, 64], k: 2, stride: 2, pad: 'same' },
  { name: '2×2 s2 same, odd input (padded windows)', x: [2, 5, 7, 8], k: 2, stride: 2, pad: 'same' },
  { name: '2×2 s2 valid, odd input', x: [2, 5, 5, 8], k: 2, stride: 2, pad: 'valid' },
  { name: '3×3 s2 same, overlapping windows', x: [2, 9, 8, 4], k: 3, stride: 2, pad: 'same' },
];

describe('MaxPoolGrad on wasm matches cpu', () => {
  for (const c of poolCases) {
    it(c.name, async () => {
      const [b, h, w, ch] = c.x;
      const out = [b, outSize(h, c.k, c.stride, c.pad, 1), outSize(w, c.k, c.stride, c.pad, 2), ch];
      await expectSameAsCpu(
        'MaxPoolGrad',
        { dy: { shape: out, seed: 31 }, input: { shape: c.x, seed: 32 }, output: { shape: out, seed: 33 } },
        {
          filterSize: [c.k, c.k],
          strides: [c.stride, c.stride],
          pad: c.pad,
        },
      );
    });
  }

  it('ties go to the first maximum in the window, as on cpu; all-negative windows keep their gradient', async () => {
    // values in {−2, −1, 0, 1, 2}: most windows hold ties, many are all-negative
    const xs = Array.from(randomArray(2 * 6 * 6 * 3, 34), (v) => Math.round(v * 4));
    const dys = Array.from(randomArray(2 * 3 * 3 * 3, 35), (v) => v + 1);
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xs, [2, 6, 6, 3]);
      const dy = tf.tensor4d(dys, [2, 3, 3, 3]);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'same'), dy)))(x);
      const v = Array.from(await dx.data());
      tf.dispose([x, dy, dx]);
      return v;
    };
    const want = await grad('cpu');
    expect(await grad('wasm')).toEqual(want);
    expect(want.reduce((a, b) => a + b, 0)).toBeCloseTo(
      dys.reduce((a, b) => a + b, 0),
      3,
    ); // every window routes its gradient
  });
});

describe('Selu on wasm (ELU-based) matches cpu element by element', () => {
  it('from −20 to 20 with +0, −0 and values near 0, to 1e-6 relative each (1e-12 absolute below 1e-6)', async () => {
    const xs = new Float32Array(40_000);
    for (let i = 0; i < xs.length; i++) xs[i] = -20 + (40 * i) / xs.length;
    xs.set([0, -0, 1e-7, -1e-7, 1e-30, -1e-30, 3e38, -3e38], 0);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor1d(xs);
      const y = tf.selu(x);
      const v = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      return v;
    };
    const want = await run('cpu');
    const got = await run('wasm');
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-6));
    expect(worst).toBeLessThan(1e-6);
    expect(Object.is(got[0], 0) || Object.is(got[0], -0)).toBe(true);
  });
});

describe('the Selu gradient on wasm (one pass, from the output) matches cpu', () => {
  it('on a GapNet-PL activation with values from −20 to 20, exact zeros included', async () => {
    const n = 2 * 16 * 16 * 32;
    const xs = Array.from(randomArray(n, 41), (v, i) => (i % 97 === 0 ? 0 : v * 40));
    const dys = Array.from(randomArray(n, 42));
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xs, [2, 16, 16, 32]);
      const dy = tf.tensor4d(dys, [2, 16, 16, 32]);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.selu(t), dy)))(x);
      const v = (await dx.data()) as Float32Array;
      tf.dispose([x, dy, dx]);
      return v;
    };
    const want = await grad('cpu');
    const profile = await tf.profile(async () => expect(maxRelativeError(await grad('wasm'), want)).toBeLessThan(1e-6));
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain('SeluGrad');
    expect(kernels).not.toContain('Exp');
  });
});

describe('Sum over leading axes (bias gradients) on wasm matches cpu', () => {
  const cases: { name: string; shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { name: 'conv bias gradient: [B, H, W, C] over [0, 1, 2]', shape: [4, 16, 16, 32], axis: [0, 1, 2], keepDims: false },
    { name: 'axes given out of order, keepDims', shape: [2, 5, 7, 3], axis: [1, 0, 2], keepDims: true },
    { name: 'dense bias gradient: [B, units] over 0', shape: [16, 256], axis: 0, keepDims: false },
    { name: 'leading pair of a 3-D tensor, negative axis', shape: [3, 4, 5], axis: [0, -2], keepDims: false },
    { name: 'not leading (falls back to tfjs): axis 1 of 3', shape: [3, 4, 5], axis: 1, keepDims: false },
    { name: 'all axes (falls back to tfjs)', shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await expectSameAsCpu('Sum', { x: { shape: c.shape, seed: 51 } }, { axis: c.axis, keepDims: c.keepDims });
    });
  }
});

describe('constant padding (PadV2) on wasm matches cpu', () => {
  const cases: { name: string; shape: number[]; paddings: [number, number][]; value: number }[] = [
    {
      name: "GapNet-PL conv1's ZeroPadding2D(1): [B, H, W, 4]",
      shape: [2, 9, 7, 4],
      paddings: [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      value: 0,
    },
    {
      name: 'uneven padding with a value, channels padded too',
      shape: [2, 3, 4, 5],
      paddings: [
        [1, 0],
        [0, 2],
        [3, 1],
        [1, 2],
      ],
      value: -1.5,
    },
    {
      name: '2-D, last dim only',
      shape: [3, 4],
      paddings: [
        [0, 0],
        [2, 1],
      ],
      value: 7,
    },
    {
      name: 'no padding at all',
      shape: [2, 3],
      paddings: [
        [0, 0],
        [0, 0],
      ],
      value: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await expectSameAsCpu('PadV2', { x: { shape: c.shape, seed: 52 } }, { paddings: c.paddings, constantValue: c.value });
    });
  }
});

describe("GapNet-PL's per-image input normalisation on wasm (one kernel) matches cpu", () => {
  it('on 0–255 pixels, with a constant channel and a constant image', async () => {
    const B = 3,
      H = 20,
      W = 18,
      C = 4;
    const px = Array.from(randomArray(B * H * W * C, 53), (v) => Math.round((v + 0.5) * 255));
    for (let i = 0; i < H * W; i++) px[i * C + 2] = 17; // image 0, channel 2: constant
    for (let i = 2 * H * W * C; i < 3 * H * W * C; i++) px[i] = 0; // image 2: black
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const layer = new InputNormalization({ mode: 'per-image' });
      const x = tf.tensor4d(px, [B, H, W, C]);
      const profile = await tf.profile(() => layer.apply(x) as tf.Tensor);
      const y = profile.result as tf.Tensor;
      const v = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      return { v, kernels: profile.kernels.map((k) => k.name) };
    };
    const want = await run('cpu');
    const got = await run('wasm');
    expect(got.kernels).toContain(PER_IMAGE_STANDARDIZE);
    expect(want.kernels).not.toContain(PER_IMAGE_STANDARDIZE);
    let worst = 0;
    for (let i = 0; i < want.v.length; i++) worst = Math.max(worst, Math.abs(got.v[i] - want.v[i]));
    expect(worst).toBeLessThan(1e-5); // outputs are standard scores, |v| ≲ 2
    expect(got.v.subarray(2 * H * W * C).every((v) => v === 0)).toBe(true);
  });
});

describe('unsupported configurations fail clearly', () => {
  it('depthwise gradients with dilation 2 throw a message naming the dilation', () => {
    const x = tf.zeros([1, 8, 8, 4]);
    const dy = tf.zeros([1, 8, 8, 4]);
    expect(() =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
        strides: [1, 1],
        pad: 'same',
        dilations: [2, 2],
        filterShape: [3, 3, 4, 1],
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/dilation 2×2 is not supported/);
    tf.dispose([x, dy]);
  });
});

/** A small network with every convolution kind our models train: the GapNet-PL stem, SELU, pools, depthwise. */
function smallNet(seed: number): tf.LayersModel {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
  return tf.sequential({
    layers: [
      tf.layers.zeroPadding2d({ inputShape: [16, 16, 4], padding: 1 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'selu', kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 1, padding: 'same', activation: 'selu', kernelInitializer: init(2) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', depthwiseInitializer: init(3) }),
      tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', kernelInitializer: init(4) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 28, activation: 'sigmoid', kernelInitializer: init(5) }),
    ],
  });
}

async function trainLosses(backend: string, steps: number): Promise<{ losses: number[]; leaked: number }> {
  await tf.setBackend(backend);
  const model = smallNet(7);
  const optimizer = tf.train.adam(1e-2);
  const x = tf.tensor(randomArray(4 * 16 * 16 * 4, 21), [4, 16, 16, 4]);
  const y = tf.tensor(
    Array.from(randomArray(4 * 28, 22), (v) => (v > 0.3 ? 1 : 0)),
    [4, 28],
  );
  const losses: number[] = [];
  let before = 0;
  for (let i = 0; i < steps; i++) {
    if (i === 1) before = tf.memory().numTensors;
    const loss = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { losses, leaked };
}

describe('training through the tape', () => {
  it('a small conv net (zero-pad + valid s2, same s1, depthwise s2, valid s1) follows the cpu loss curve for 20 Adam steps, without leaking tensors', async () => {
    const cpu = await trainLosses('cpu', 20);
    const wasm = await trainLosses('wasm', 20);
    expect(wasm.leaked).toBe(0);
    expect(cpu.losses[19]).toBeLessThan(cpu.losses[0]); // it learns
    for (let i = 0; i < 20; i++) expect(Math.abs(wasm.losses[i] - cpu.losses[i]) / cpu.losses[i]).toBeLessThan(1e-4);
  });

  it('unregistering puts back tfjs own Conv2DBackpropInput and removes the added kernels', () => {
    const own = tf.getKernel('Conv2DBackpropInput', 'wasm');
    unregisterWasmTrainingKernels();
    const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(original).toBeDefined();
    expect(original).not.toBe(own);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBeDefined(); // tfjs's own, put back
    expect(tf.getKernel(PER_IMAGE_STANDARDIZE, 'wasm')).toBeUndefined();
    const ownSum = tf.getKernel('Sum', 'wasm');
    const seluGradient = tf.getGradient('Selu');
    expect(seluGradient.outputsToSave).toBeUndefined(); // tfjs's own saves only x
    registerWasmTrainingKernels();
    const wrappedSum = tf.getKernel('Sum', 'wasm');
    expect(wrappedSum).not.toBe(ownSum);
    registerWasmTrainingKernels(); // idempotent: the wrapper does not wrap itself
    expect(tf.getKernel('Sum', 'wasm')).toBe(wrappedSum);
    expect(tf.getGradient('Selu').outputsToSave).toEqual([true]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(own);
  });
});
