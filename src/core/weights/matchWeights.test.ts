import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { weightsFixture } from '../../../fixtures/transfer/weightsFixtures';
import { resnet50CurrentName } from '../models/backbones/blocks';
import { createModel } from '../models/registry';
import { buildBackbone } from '../models/transfer';
import { readKerasH5 } from './kerasH5';
import { applyWeights, matchWeights } from './matchWeights';
import type { NamedWeight } from './namedWeight';
import { readTfjsLayersWeights } from './tfjsWeights';
import { readZipFiles } from '../zipFiles';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (model: tf.LayersModel, layer: string, i = 0) => model.getLayer(layer).getWeights()[i].dataSync() as Float32Array;
/** every weight of a model as a file would hold it (the model's own layer and weight names) */
const ownWeights = (m: tf.LayersModel): NamedWeight[] =>
  m.layers.flatMap((l) =>
    l.weights.map((v) => ({
      layer: l.name,
      weight: v.originalName.replace(/^.*\//, ''),
      shape: v.shape as number[],
      data: v.read().dataSync() as Float32Array,
    })),
  );

function rgby(size: number): tf.Tensor4D {
  return tf.randomUniform([2, size, size, 4], 0, 255, 'float32', 7).round() as tf.Tensor4D;
}

describe('matchWeights / applyWeights', () => {
  it('maps a Keras MobileNetV2 file onto the studio model by name: all backbone tensors, the first conv widened, head and studio layers left out', async () => {
    const { weights } = await readKerasH5(weightsFixture('mobilenetv2.h5.br'), 'mobilenetv2.h5');
    const model = createModel('mobilenetv2', { inputSize: 32, fourChannels: 'widen', head: 'gap', seed: 1 });
    const report = matchWeights(model, 'mobilenetv2', weights);
    expect(report).toMatchObject({ loaded: weights.length, missing: [], unexpected: [], mismatched: [], widened: ['Conv1/kernel'] });
    expect(report.notes.join('\n')).toMatch(/studio's own layers \(hpa_head_out\)/);
    const before = values(model, 'block_16_project_BN', 2).slice();
    expect(applyWeights(model, 'mobilenetv2', weights)).toEqual(report);
    const fileMean = weights.find((w) => w.layer === 'block_16_project_BN' && w.weight === 'moving_mean')!.data;
    expect(values(model, 'block_16_project_BN', 2)).toEqual(fileMean);
    expect(before).not.toEqual(fileMean);
    // widened kernel [3, 3, 4, 32]: RGB as in the file, yellow = red (input channel 0 after 'tf' preprocessing)
    const k = values(model, 'Conv1');
    const file = weights.find((w) => w.layer === 'Conv1')!.data;
    for (let p = 0; p < 9; p++)
      for (let o = 0; o < 32; o++) {
        for (let c = 0; c < 3; c++) expect(k[(p * 4 + c) * 32 + o]).toBe(file[(p * 3 + c) * 32 + o]);
        expect(k[(p * 4 + 3) * 32 + o]).toBe(file[p * 3 * 32 + o]);
      }
    model.dispose();
  });

  it('with RGB only, nothing is widened', async () => {
    const { weights } = await readKerasH5(weightsFixture('mobilenetv2.h5.br'));
    const model = createModel('mobilenetv2', { inputSize: 32, fourChannels: 'rgb', head: 'gap' });
    expect(matchWeights(model, 'mobilenetv2', weights)).toMatchObject({ loaded: weights.length, missing: [], mismatched: [], widened: [] });
    model.dispose();
  });

  it('a file with one renamed and one reshaped tensor gets a report naming both, and loads the rest', async () => {
    const { weights } = await readKerasH5(weightsFixture('mobilenetv2_damaged.h5.br'), 'damaged.h5');
    const model = createModel('mobilenetv2', { inputSize: 32, fourChannels: 'widen', head: 'gap' });
    const r = applyWeights(model, 'mobilenetv2', weights);
    expect(r.unexpected).toEqual(['Conv1/kernel_renamed']);
    expect(r.missing).toEqual(['Conv1/kernel']);
    expect(r.mismatched).toEqual([{ name: 'bn_Conv1/gamma', fileShape: [31], modelShape: [32] }]);
    expect(r.widened).toEqual([]);
    expect(r.loaded).toBe(weights.length - 2);
    model.dispose();
  });

  it('VGG16 (caffe preprocessing: the widened yellow copies input channel 2, where red is after RGB → BGR)', async () => {
    const { weights } = await readKerasH5(weightsFixture('vgg16.h5.br'));
    const model = createModel('vgg16', { inputSize: 32, fourChannels: 'widen', head: 'gap' });
    const r = applyWeights(model, 'vgg16', weights);
    expect(r).toMatchObject({ loaded: 26, missing: [], unexpected: [], mismatched: [], widened: ['block1_conv1/kernel'] });
    const k = values(model, 'block1_conv1');
    const file = weights[0].data;
    for (let o = 0; o < 64; o++) expect(k[3 * 64 + o]).toBe(file[2 * 64 + o]);
    model.dispose();
  });

  it("pairs weights by position when the file's weight names say nothing (Keras 1 files: block1_conv1_W_1:0)", async () => {
    const { weights } = await readKerasH5(weightsFixture('vgg16.h5.br'));
    const old = weights.map((w) => ({ ...w, weight: `${w.layer}_${w.weight === 'kernel' ? 'W' : 'b'}_1` }));
    const model = buildBackbone('vgg16', 32, 3);
    const r = applyWeights(model, 'vgg16', old);
    expect(r).toMatchObject({ loaded: 26, missing: [], unexpected: [], mismatched: [] });
    expect(r.notes.join()).toMatch(/paired by their position/);
    expect(values(model, 'block5_conv3', 1)).toEqual(weights[25].data);
    model.dispose();
  });

  it("pairs InceptionV3's automatic names by order within their kind when the numbering differs (tf.keras: conv2d, conv2d_1, …)", () => {
    const source = buildBackbone('inceptionv3', 75, 3, { seed: 3 });
    const renumber = (name: string) => name.replace(/^(conv2d|batch_normalization)_(\d+)$/, (_, k, n) => (n === '1' ? k : `${k}_${Number(n) - 1}`));
    const file = ownWeights(source).map((w) => ({ ...w, layer: renumber(w.layer) }));
    expect(file[0].layer).toBe('conv2d');
    const model = buildBackbone('inceptionv3', 75, 3, { seed: 4 });
    const r = applyWeights(model, 'inceptionv3', file);
    expect(r).toMatchObject({ loaded: file.length, missing: [], unexpected: [], mismatched: [] });
    expect(r.notes.join('\n')).toMatch(
      /94 conv2d layers paired by their order among conv2d layers \(numbered differently: file conv2d … conv2d_93, model conv2d_1 … conv2d_94\)/,
    );
    expect(values(model, 'conv2d_94')).toEqual(values(source, 'conv2d_94'));
    source.dispose();
    model.dispose();
  });

  it('pairs the old keras-applications ResNet50 names (res2a_branch2a, bn_conv1) with the current ones', () => {
    const source = buildBackbone('resnet50', 32, 3, { seed: 5 });
    const oldNames = new Map<string, string>();
    const candidates = ['conv1', 'bn_conv1'];
    for (const kind of ['res', 'bn'])
      for (const s of [2, 3, 4, 5]) for (const b of 'abcdef') for (const br of ['1', '2a', '2b', '2c']) candidates.push(`${kind}${s}${b}_branch${br}`);
    for (const c of candidates) {
      const current = resnet50CurrentName(c);
      if (current) oldNames.set(current, c);
    }
    const file = ownWeights(source).map((w) => ({ ...w, layer: oldNames.get(w.layer) ?? w.layer }));
    expect(file.some((w) => w.layer === 'res2a_branch2a')).toBe(true);
    const model = buildBackbone('resnet50', 32, 3, { seed: 6 });
    const r = applyWeights(model, 'resnet50', file);
    expect(r).toMatchObject({ loaded: file.length, missing: [], unexpected: [], mismatched: [] });
    expect(r.notes.join()).toMatch(/old keras-applications ResNet50 names/);
    expect(values(model, 'conv5_block3_3_bn', 3)).toEqual(values(source, 'conv5_block3_3_bn', 3));
    source.dispose();
    model.dispose();
  });
});

describe('the same MobileNetV2 weights as a Keras .h5 and as a TF.js layers model', () => {
  it('give identical predictions, from the zip and from the dropped folder', async () => {
    const h5 = await readKerasH5(weightsFixture('mobilenetv2.h5.br'));
    const zip = weightsFixture('mobilenetv2_tfjs.zip');
    const fromZip = await readTfjsLayersWeights([{ name: 'mobilenetv2_tfjs.zip', bytes: zip }]);
    const folder = [...(await readZipFiles(zip, 'mobilenetv2_tfjs.zip'))].map(([name, bytes]) => ({ name, bytes }));
    expect(folder.map((f) => f.name)).toEqual(['mobilenetv2_tfjs/model.json', 'mobilenetv2_tfjs/group1-shard1of1.bin']);
    const fromFolder = await readTfjsLayersWeights(folder);
    const x = rgby(32);
    const predict = (w: NamedWeight[]) => {
      const m = createModel('mobilenetv2', { inputSize: 32, fourChannels: 'widen', head: 'gap', seed: 9 });
      const r = applyWeights(m, 'mobilenetv2', w);
      expect(r).toMatchObject({ loaded: h5.weights.length, missing: [], unexpected: [], mismatched: [] });
      const y = (m.predict(x) as tf.Tensor).dataSync();
      m.dispose();
      return y;
    };
    const a = predict(h5.weights);
    const untouched = createModel('mobilenetv2', { inputSize: 32, fourChannels: 'widen', head: 'gap', seed: 9 });
    expect((untouched.predict(x) as tf.Tensor).dataSync()).not.toEqual(a);
    untouched.dispose();
    expect(predict(fromZip)).toEqual(a);
    expect(predict(fromFolder)).toEqual(a);
    x.dispose();
  });

  it('a TF.js folder without its shard says which shard is missing', async () => {
    const files = [...(await readZipFiles(weightsFixture('mobilenetv2_tfjs.zip'), 'z'))].map(([name, bytes]) => ({ name, bytes }));
    await expect(readTfjsLayersWeights(files.slice(0, 1))).rejects.toThrow(
      "model.json names the weight shard 'group1-shard1of1.bin', which is not among the dropped files",
    );
  });
});
