import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, describeModel, formatModelDescription, listModels, loadModel } from './registry';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function convParams(model: tf.LayersModel): number {
  return model.layers.filter((l) => l.getClassName() === 'Conv2D').reduce((s, l) => s + l.countParams(), 0);
}

describe('model registry', () => {
  it('lists both GAPNet variants and the four transfer models', () => {
    expect(listModels().map((m) => m.name)).toEqual(['gapnet-pl', 'gapnet-kaggle', 'vgg16', 'resnet50', 'inceptionv3', 'mobilenetv2']);
    expect(() => createModel('resnet9000', { inputSize: 64 })).toThrow(/unknown model 'resnet9000'/);
    expect(() => createModel('gapnet-pl', { inputSize: 16 })).toThrow(/≥ 32/);
  });

  it('gapnet-pl has 630,076 parameters (convs 499,488), all trainable, at any input size', () => {
    for (const inputSize of [32, 512]) {
      const m = createModel('gapnet-pl', { inputSize, seed: 1 });
      const d = describeModel(m);
      expect(d.totalParams).toBe(630_076);
      expect(d.trainableParams).toBe(630_076);
      expect(convParams(m)).toBe(499_488);
      m.dispose();
    }
  });

  it('gapnet-kaggle has 595,468 parameters, 594,308 trainable, at 512 px (valid padding)', () => {
    const m = createModel('gapnet-kaggle', { inputSize: 512, seed: 1 });
    const d = describeModel(m);
    expect(d.totalParams).toBe(595_468);
    expect(d.trainableParams).toBe(594_308);
    expect(d.nonTrainableParams).toBe(1_160);
    expect(m.getLayer('conv1').outputShape).toEqual([null, 255, 255, 32]);
    expect(m.getLayer('gap3').outputShape).toEqual([null, 128]);
    const table = formatModelDescription(d);
    expect(table).toMatch(/Total params: 595,468/);
    expect(table).toMatch(/Trainable params: 594,308/);
    m.dispose();
  });

  it('the layer table gives every layer its output shape and parameters, summing to the total', () => {
    const m = createModel('gapnet-pl', { inputSize: 64, seed: 1 });
    const d = describeModel(m);
    expect(d.layers.reduce((s, l) => s + l.params, 0)).toBe(d.totalParams);
    const row = d.layers.find((l) => l.name === 'conv2')!;
    expect(row).toMatchObject({ type: 'Conv2D', outputShape: [null, 8, 8, 64], params: 18_496 });
    expect(d.layers.find((l) => l.name === 'concat')!.outputShape).toEqual([null, 224]);
    m.dispose();
  });

  for (const name of ['gapnet-pl', 'gapnet-kaggle']) {
    it(`${name} gives [b, 28] probabilities at 32, 64 and 128 px`, () => {
      for (const size of [32, 64, 128]) {
        const m = createModel(name, { inputSize: size, seed: 3 });
        const x = tf.randomUniform([2, size, size, 4], 0, 255, 'float32', 5);
        const y = m.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([2, 28]);
        const v = y.dataSync();
        expect(v.every((p) => p > 0 && p < 1)).toBe(true);
        tf.dispose([x, y]);
        m.dispose();
      }
    });
  }

  it('gapnet-kaggle refuses valid padding below 149 px and says which padding it used', () => {
    expect(() => createModel('gapnet-kaggle', { inputSize: 148, padding: 'valid' })).toThrow(/at least 149 px/);
    const m = createModel('gapnet-kaggle', { inputSize: 149, padding: 'valid', seed: 1 });
    expect(m.getLayer('conv7').outputShape).toEqual([null, 1, 1, 128]);
    m.dispose();
  });

  it('gapnet-pl pads its stride-2 convs by one pixel on every side (out = ceil(in/2)), unlike TF "same"', () => {
    const m = createModel('gapnet-pl', { inputSize: 32, seed: 1 });
    const pad = m.getLayer('conv1_pad');
    const conv = m.getLayer('conv1');
    // output filter 0 = the top-left tap of input channel 0; filter 1 = the centre tap
    const kernel = tf.buffer([3, 3, 4, 32]);
    kernel.set(1, 0, 0, 0, 0);
    kernel.set(1, 1, 1, 0, 1);
    conv.setWeights([kernel.toTensor(), tf.zeros([32])]);
    const x = tf.add(tf.reshape(tf.range(0, 32 * 32), [1, 32, 32, 1]), 1).tile([1, 1, 1, 4]);
    const out = conv.apply(pad.apply(x)) as tf.Tensor;
    expect(out.shape).toEqual([1, 16, 16, 32]);
    const o = out.arraySync() as number[][][][];
    const selu = (v: number) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1));
    const xAt = (r: number, c: number) => (r < 0 || c < 0 ? 0 : r * 32 + c + 1);
    for (const [i, j] of [
      [0, 0],
      [0, 5],
      [7, 3],
      [15, 15],
    ]) {
      expect(o[0][i][j][0]).toBeCloseTo(selu(xAt(2 * i - 1, 2 * j - 1)), 3);
      expect(o[0][i][j][1]).toBeCloseTo(selu(xAt(2 * i, 2 * j)), 3);
    }
    tf.dispose([x, out]);
    m.dispose();
  });

  it('gapnet-pl initialises weights from a truncated normal with std sqrt(1/fan_in) and biases at 0', () => {
    const m = createModel('gapnet-pl', { inputSize: 32, seed: 11 });
    for (const [layer, fanIn] of [
      ['conv7', 9 * 128],
      ['fc1', 224],
    ] as const) {
      const [w, b] = m.getLayer(layer).getWeights();
      const sigma = Math.sqrt(1 / fanIn);
      const v = w.dataSync() as Float32Array;
      let s2 = 0;
      for (const a of v) s2 += a * a;
      // a normal truncated at ±2σ has std 0.8796σ
      expect(Math.sqrt(s2 / v.length) / sigma).toBeCloseTo(0.8796, 1.5);
      expect(v.reduce((mx: number, a: number) => Math.max(mx, Math.abs(a)), 0)).toBeLessThanOrEqual(2 * sigma + 1e-6);
      expect(b.dataSync().every((z) => z === 0)).toBe(true);
    }
    m.dispose();
  });

  it('is reproducible for a seed', () => {
    const a = createModel('gapnet-pl', { inputSize: 32, seed: 5 });
    const b = createModel('gapnet-pl', { inputSize: 32, seed: 5 });
    const c = createModel('gapnet-pl', { inputSize: 32, seed: 6 });
    const w = (m: tf.LayersModel) => Array.from(m.getLayer('conv3').getWeights()[0].dataSync().slice(0, 50));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  for (const name of ['gapnet-pl', 'gapnet-kaggle']) {
    it(`${name} survives a tf.io save/load round trip with its custom layers`, async () => {
      const m = createModel(name, { inputSize: 32, seed: 2 });
      let saved: tf.io.ModelArtifacts | undefined;
      await m.save(
        tf.io.withSaveHandler(async (artifacts) => {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      expect(JSON.stringify(saved!.modelTopology)).toMatch(/HpaInputNormalization/);
      const loaded = await loadModel(tf.io.fromMemory(saved!));
      expect(describeModel(loaded).totalParams).toBe(describeModel(m).totalParams);
      const x = tf.randomUniform([3, 32, 32, 4], 0, 255, 'float32', 9);
      const [p, q] = [m.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
      tf.dispose([x, p, q]);
      m.dispose();
      loaded.dispose();
    });
  }
});
