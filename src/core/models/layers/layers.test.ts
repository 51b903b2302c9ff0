import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputConv2d } from './inputConv2d';
import { InputNormalization } from './inputNormalization';
import { AlphaDropout, SeededDropout } from './seededDropout';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function meanStd(v: Float32Array | Int32Array | Uint8Array): [number, number] {
  let s = 0,
    s2 = 0;
  for (const a of v) {
    s += a;
    s2 += a * a;
  }
  const m = s / v.length;
  return [m, Math.sqrt(s2 / v.length - m * m)];
}

describe('InputNormalization', () => {
  it("'per-image' gives each image's channels mean 0 and std 1", () => {
    const x = tf.concat([tf.randomUniform([1, 8, 8, 4], 0, 255, 'float32', 1), tf.randomUniform([1, 8, 8, 4], 10, 20, 'float32', 2)]);
    const y = new InputNormalization({ mode: 'per-image' }).apply(x) as tf.Tensor;
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 4; c++) {
        const [m, s] = meanStd(y.slice([b, 0, 0, c], [1, 8, 8, 1]).dataSync() as Float32Array);
        expect(Math.abs(m)).toBeLessThan(1e-5);
        expect(s).toBeCloseTo(1, 4);
      }
  });

  it("'per-image' maps a constant channel to 0 (std + 1e-7 guards the division)", () => {
    const y = new InputNormalization({ mode: 'per-image' }).apply(tf.fill([1, 4, 4, 4], 7)) as tf.Tensor;
    expect(y.dataSync().every((v) => v === 0)).toBe(true);
  });

  it("'div255' scales to [0, 1]", () => {
    const y = new InputNormalization({ mode: 'div255' }).apply(tf.tensor4d([0, 51, 255, 255], [1, 1, 1, 4], 'int32')) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([0, Math.fround(0.2), 1, 1]);
  });
});

describe('AlphaDropout', () => {
  it('is the identity at inference', () => {
    const x = tf.randomNormal([4, 16], 0, 1, 'float32', 3);
    const y = new AlphaDropout({ rate: 0.3, seed: 1 }).apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it('keeps mean 0 and variance 1 of SELU-normalised activations while training, dropping ~30%', () => {
    const layer = new AlphaDropout({ rate: 0.3, seed: 1 });
    const x = tf.randomNormal([200, 500], 0, 1, 'float32', 4);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const [m, s] = meanStd(y.dataSync() as Float32Array);
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(s).toBeCloseTo(1, 1.5);
    // dropped units all land on the same value a·α' + b
    const q = 0.7,
      ap = -1.7580993408473766,
      a = 1 / Math.sqrt(q + ap * ap * q * (1 - q)),
      b = -a * ap * (1 - q);
    const dropped = Array.from(y.dataSync()).filter((v) => Math.abs(v - (a * ap + b)) < 1e-6).length / y.size;
    expect(dropped).toBeGreaterThan(0.29);
    expect(dropped).toBeLessThan(0.31);
  });

  it('draws a fresh mask each training call, the same sequence for the same seed', () => {
    const x = tf.ones([1, 64]);
    const run = (seed: number) => {
      const l = new AlphaDropout({ rate: 0.5, seed });
      return [0, 1].map(() => Array.from((l.apply(x, { training: true }) as tf.Tensor).dataSync()));
    };
    const [a1, a2] = run(7);
    const [b1, b2] = run(7);
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
  });
});

describe('SeededDropout', () => {
  it('drops at the rate and rescales the kept units by 1/(1-rate) while training; identity otherwise', () => {
    const l = new SeededDropout({ rate: 0.25, seed: 3 });
    const x = tf.ones([100, 100]);
    const v = (l.apply(x, { training: true }) as tf.Tensor).dataSync();
    const kept = Array.from(v).filter((z) => z !== 0);
    expect(kept.every((z) => Math.abs(z - 1 / 0.75) < 1e-6)).toBe(true);
    expect(kept.length / v.length).toBeCloseTo(0.75, 1.5);
    expect(Array.from((l.apply(x) as tf.Tensor).dataSync()).every((z) => z === 1)).toBe(true);
  });
});

describe('InputConv2D (the first convolution, unfused)', () => {
  const args = {
    filters: 6,
    kernelSize: 3,
    strides: 2,
    padding: 'valid' as const,
    activation: 'selu' as const,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    biasInitializer: tf.initializers.randomNormal({ seed: 4 }),
  };
  const net = (conv: tf.layers.Layer) => {
    const input = tf.input({ shape: [9, 9, 4] });
    const h = conv.apply(tf.layers.zeroPadding2d({ padding: 1 }).apply(input)) as tf.SymbolicTensor;
    return tf.model({
      inputs: input,
      outputs: tf.layers
        .dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })
        .apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor,
    });
  };

  it('computes what tf.layers.conv2d computes, with the same weight gradients, and no input gradient', async () => {
    const plain = net(tf.layers.conv2d(args));
    const ours = net(inputConv2d(args));
    const x = tf.randomNormal([3, 9, 9, 4], 0, 1, 'float32', 6);
    const y = tf.randomNormal([3, 2], 0, 1, 'float32', 7);
    const grads = async (m: tf.LayersModel) => {
      const profile = await tf.profile(() => tf.variableGrads(() => tf.losses.meanSquaredError(y, m.apply(x) as tf.Tensor) as tf.Scalar));
      const { value, grads: g } = profile.result as unknown as { value: tf.Scalar; grads: tf.NamedTensorMap };
      const values = m.trainableWeights.map((w) => Array.from(g[(w.read() as unknown as { name: string }).name].dataSync()));
      return { loss: value.dataSync()[0], values, kernels: profile.kernels.map((k) => k.name) };
    };
    const a = await grads(plain);
    const b = await grads(ours);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    b.values.forEach((v, i) => v.forEach((g, j) => expect(g).toBeCloseTo(a.values[i][j], 5)));
    expect(a.kernels).toContain('Conv2DBackpropInput'); // the fused op computes it anyway
    expect(b.kernels).not.toContain('Conv2DBackpropInput');
    expect(b.kernels).toContain('Conv2DBackpropFilter');
  });

  it("serialises as a plain 'Conv2D', so a saved model loads without this class", async () => {
    const layer = inputConv2d({ ...args, name: 'conv1' });
    expect(layer.getClassName()).toBe('Conv2D');
    const m = net(layer);
    const json = JSON.stringify(m.toJSON(null, false));
    expect(json).not.toContain('InputConv2D');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(JSON.parse(json)));
    loaded.setWeights(m.getWeights());
    const x = tf.randomNormal([2, 9, 9, 4], 0, 1, 'float32', 8);
    const want = (m.predict(x) as tf.Tensor).dataSync();
    const got = (loaded.predict(x) as tf.Tensor).dataSync();
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(loaded.getLayer('conv1').constructor).not.toBe(layer.constructor);
  });
});
