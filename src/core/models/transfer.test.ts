import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from './catalog';
import { backboneBlockCount, blockNames, firstConvLayer, layerRole, resnet50CurrentName, TRANSFER_MODELS } from './backbones/blocks';
import { makeDivisible } from './backbones/mobilenetv2';
import { modelInfo } from './catalog';
import { createModel, describeModel, loadModel, modelNotes } from './registry';
import { buildBackbone, widenFirstConvKernel } from './transfer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const KERAS_NOTOP_PARAMS = { vgg16: 14_714_688, resnet50: 23_587_712, inceptionv3: 21_802_784, mobilenetv2: 2_257_984 } as const;

/** Saves through tf.io and loads back through the registry. */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return loadModel(tf.io.fromMemory(artifacts!));
}

function rgbyBatch(n: number, size: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, size, size, 4], 0, 255, 'float32', seed).round() as tf.Tensor4D;
}

describe('transfer backbones', () => {
  it("are exactly the catalog's transfer family (isTransferModel reads the list)", () => {
    expect(MODELS.filter((m) => m.family === 'transfer').map((m) => m.name)).toEqual([...TRANSFER_MODELS]);
  });
  for (const name of TRANSFER_MODELS) {
    it(`${name} without top, 3-channel input, has Keras Applications' ${KERAS_NOTOP_PARAMS[name].toLocaleString('en-US')} parameters`, () => {
      const m = buildBackbone(name, name === 'inceptionv3' ? 75 : 32, 3, { seed: 1 });
      expect(m.countParams()).toBe(KERAS_NOTOP_PARAMS[name]);
      expect(modelInfo(name).backboneParams).toBe(KERAS_NOTOP_PARAMS[name]);
      // every backbone layer belongs to a block, and the blocks appear in network order
      const blocks = m.layers.slice(1).map((l) => layerRole(name, l.name));
      expect(blocks.every((r) => r.part === 'backbone' && r.block !== null)).toBe(true);
      const firstOf = new Map<number, number>();
      blocks.forEach((r, i) => firstOf.has(r.block!) || firstOf.set(r.block!, i));
      expect([...firstOf.keys()]).toEqual([...Array(backboneBlockCount(name)).keys()]);
      expect(m.getLayer(firstConvLayer(name)).getClassName()).toBe('Conv2D');
      m.dispose();
    });
  }

  it("uses Keras's layer and weight names", () => {
    const mb = buildBackbone('mobilenetv2', 32);
    expect(mb.getLayer('block_1_depthwise').weights.map((w) => w.originalName)).toEqual(['block_1_depthwise/depthwise_kernel']);
    expect(mb.getLayer('bn_Conv1').weights.map((w) => w.originalName)).toEqual([
      'bn_Conv1/gamma',
      'bn_Conv1/beta',
      'bn_Conv1/moving_mean',
      'bn_Conv1/moving_variance',
    ]);
    expect(mb.getLayer('expanded_conv_project').weights.map((w) => w.originalName)).toEqual(['expanded_conv_project/kernel']);
    expect(mb.layers.map((l) => l.name)).toContain('block_16_project_BN');
    expect(mb.layers.map((l) => l.name)).toContain('block_15_add');
    // stride-2 'correct_pad': the extra pixel at the end (bottom/right) for even sizes
    expect(mb.getLayer('block_1_pad').getConfig().padding).toEqual([
      [0, 1],
      [0, 1],
    ]);
    mb.dispose();
    const rn = buildBackbone('resnet50', 32);
    expect(rn.getLayer('conv3_block1_0_conv').weights.map((w) => w.originalName)).toEqual(['conv3_block1_0_conv/kernel', 'conv3_block1_0_conv/bias']);
    expect((rn.getLayer('conv2_block1_1_bn').getConfig() as { epsilon: number }).epsilon).toBe(1.001e-5);
    expect(rn.layers.at(-1)!.name).toBe('conv5_block3_out');
    rn.dispose();
    const inc = buildBackbone('inceptionv3', 75);
    const names = inc.layers.map((l) => l.name);
    expect(names.filter((n) => /^conv2d_\d+$/.test(n))).toHaveLength(94);
    expect(names).toContain('conv2d_1');
    expect(names).toContain('conv2d_94');
    expect(names).toContain('batch_normalization_94');
    expect(names).toContain('concatenate_2');
    expect(inc.getLayer('batch_normalization_1').weights.map((w) => w.originalName)).toEqual([
      'batch_normalization_1/beta',
      'batch_normalization_1/moving_mean',
      'batch_normalization_1/moving_variance',
    ]);
    // the auto-numbered names land in the blocks the plan says: each mixed block's first branch conv
    for (let b = 0; b <= 10; b++) {
      const concat = inc.getLayer(`mixed${b}`);
      const firstBranch = concat.inboundNodes[0].inboundLayers[0];
      const conv = firstBranch.inboundNodes[0].inboundLayers[0].inboundNodes[0].inboundLayers[0];
      expect(conv.name).toMatch(/^conv2d_\d+$/);
      expect(layerRole('inceptionv3', conv.name).block).toBe(b + 1);
    }
    expect(inc.outputs[0].shape).toEqual([null, 1, 1, 2048]);
    inc.dispose();
    const vgg = buildBackbone('vgg16', 32);
    expect(vgg.layers.map((l) => l.name).slice(1, 4)).toEqual(['block1_conv1', 'block1_conv2', 'block1_pool']);
    vgg.dispose();
  });

  it('MobileNetV2 takes Keras width multipliers', () => {
    expect([0.35, 0.5, 0.75, 1.0, 1.3, 1.4].map((a) => makeDivisible(32 * a))).toEqual([16, 16, 24, 32, 40, 48]);
    // Keras Applications' notop counts for alpha 0.35 and 1.4
    const small = buildBackbone('mobilenetv2', 32, 3, { alpha: 0.35 });
    expect(small.countParams()).toBe(410_208);
    small.dispose();
    const big = buildBackbone('mobilenetv2', 32, 3, { alpha: 1.4 });
    expect(big.countParams()).toBe(4_363_712);
    big.dispose();
    expect(() => buildBackbone('mobilenetv2', 32, 3, { alpha: 0.6 })).toThrow(/alpha/);
  });

  it('names blocks for the freeze schedule and tells studio and head layers apart', () => {
    expect(blockNames('vgg16')).toEqual(['block1', 'block2', 'block3', 'block4', 'block5']);
    expect(backboneBlockCount('resnet50')).toBe(17);
    expect(blockNames('resnet50').at(-1)).toBe('conv5_block3');
    expect(blockNames('inceptionv3').at(-1)).toBe('mixed10');
    expect(blockNames('mobilenetv2').slice(-2)).toEqual(['block_16', 'Conv_1']);
    expect(layerRole('resnet50', 'hpa_head_fc1')).toEqual({ part: 'head', block: null });
    expect(layerRole('resnet50', 'hpa_head_bn')).toEqual({ part: 'head', block: null });
    expect(layerRole('resnet50', 'hpa_adapter')).toEqual({ part: 'studio', block: null });
    expect(layerRole('resnet50', 'conv4_block6_out')).toEqual({ part: 'backbone', block: 13 });
    expect(layerRole('mobilenetv2', 'block_16_project_BN')).toEqual({ part: 'backbone', block: 17 });
    expect(layerRole('inceptionv3', 'conv2d_5')).toEqual({ part: 'backbone', block: 0 });
    expect(layerRole('inceptionv3', 'conv2d_6')).toEqual({ part: 'backbone', block: 1 });
    expect(() => layerRole('gapnet-pl', 'conv1')).toThrow(/not a transfer model/);
    expect(resnet50CurrentName('res4f_branch2c')).toBe('conv4_block6_3_conv');
    expect(resnet50CurrentName('bn2a_branch1')).toBe('conv2_block1_0_bn');
    expect(resnet50CurrentName('bn_conv1')).toBe('conv1_bn');
  });
});

describe('transfer models', () => {
  it("the seed's head, by default on a widened first conv, gives [b, 28] probabilities", () => {
    const m = createModel('mobilenetv2', { inputSize: 64, seed: 2 });
    const names = m.layers.map((l) => l.name);
    expect(names.slice(0, 3)).toEqual(['hpa_input', 'hpa_preprocess', 'hpa_head_bn']);
    expect(names.slice(-7)).toEqual([
      'out_relu',
      'hpa_head_conv',
      'hpa_head_flatten',
      'hpa_head_dropout1',
      'hpa_head_fc1',
      'hpa_head_dropout2',
      'hpa_head_out',
    ]);
    expect(m.getLayer('Conv1').getWeights()[0].shape).toEqual([3, 3, 4, 32]);
    expect(m.getLayer('hpa_head_fc1').getWeights()[0].shape).toEqual([2 * 2 * 32, 1024]);
    const x = rgbyBatch(2, 64, 1);
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 28]);
    expect(y.dataSync().every((p) => p > 0 && p < 1)).toBe(true);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('the catalog gives each transfer model its full parameter count at the default size, and notes say channels, preprocessing and head', () => {
    const m = createModel('vgg16', { inputSize: 224, seed: 1 });
    expect(m.countParams()).toBe(modelInfo('vgg16').params);
    // backbone + widened yellow filters + head: BN(4) 16, conv 512·32+32, fc 7·7·32·1024+1024, out 1024·28+28
    expect(m.countParams()).toBe(14_714_688 + 3 * 3 * 64 + 16 + 16_416 + 1_606_656 + 28_700);
    m.dispose();
    expect(modelNotes('vgg16', { inputSize: 224 }).join('\n')).toMatch(/yellow filters.*red[\s\S]*caffe[\s\S]*seed's/);
    expect(modelNotes('inceptionv3', { inputSize: 299, head: 'gap', fourChannels: 'rgb' }).join('\n')).toMatch(
      /yellow dropped[\s\S]*127\.5[\s\S]*global average/,
    );
    expect(() => createModel('inceptionv3', { inputSize: 74 })).toThrow(/at least 75 px/);
  });

  it("'widen' copies red's filters to yellow where the conv sees red: BGR for caffe, RGB for tf", () => {
    const k = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // [1, 2, 3, 2] HWIO
    expect(Array.from(widenFirstConvKernel('resnet50', k, [1, 2, 3, 2]).data)).toEqual([0, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 10, 11, 10, 11]);
    expect(Array.from(widenFirstConvKernel('mobilenetv2', k, [1, 2, 3, 2]).data)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 6, 7, 8, 9, 10, 11, 6, 7]);
    // in a built model: the yellow input channel of the first conv equals red's (channel 2 after caffe's BGR)
    const m = createModel('vgg16', { inputSize: 32, seed: 1, head: 'gap' });
    const kernel = m.getLayer('block1_conv1').getWeights()[0];
    const [red, yellow] = [2, 3].map((c) => tf.slice(kernel, [0, 0, c, 0], [3, 3, 1, 64]));
    expect(Array.from(yellow.dataSync())).toEqual(Array.from(red.dataSync()));
    tf.dispose([red, yellow]);
    m.dispose();
  });

  it("'rgb' ignores yellow; 'adapter' starts as R, G, B pass-through; both match a 3-channel backbone with the same weights", () => {
    const size = 32;
    const x = rgbyBatch(2, size, 3);
    const ref = buildBackbone('mobilenetv2', size, 3, { seed: 5 });
    const xRgb = tf.slice(x, [0, 0, 0, 0], [2, size, size, 3]);
    const want = ref.predict(tf.sub(tf.div(xRgb, 127.5), 1)) as tf.Tensor;
    for (const fourChannels of ['rgb', 'adapter'] as const) {
      const m = createModel('mobilenetv2', { inputSize: size, seed: 5, head: 'gap', fourChannels });
      const features = tf.model({ inputs: m.inputs, outputs: m.getLayer('out_relu').output as tf.SymbolicTensor });
      const got = features.predict(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0], fourChannels).toBeLessThan(1e-5);
      // yellow has no effect on the output until the adapter learns otherwise
      const x2 = tf.concat([xRgb, tf.zerosLike(tf.slice(x, [0, 0, 0, 3], [2, size, size, 1]))], 3);
      const got2 = features.predict(x2) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(got, got2))).dataSync()[0]).toBe(0);
      tf.dispose([got, got2, x2]);
      m.dispose();
    }
    tf.dispose([x, xRgb, want]);
    ref.dispose();
  });

  it("caffe preprocessing is BGR minus the ImageNet means, yellow last with red's mean", () => {
    const m = createModel('resnet50', { inputSize: 32, seed: 1, head: 'gap' });
    const pre = tf.model({ inputs: m.inputs, outputs: m.getLayer('hpa_preprocess').output as tf.SymbolicTensor });
    const x = tf.tensor4d([10, 20, 30, 40], [1, 1, 1, 4]).tile([1, 32, 32, 1]);
    const y = pre.predict(x) as tf.Tensor;
    const v = Array.from(y.dataSync().slice(0, 4));
    [30 - 103.939, 20 - 116.779, 10 - 123.68, 40 - 123.68].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 4));
    tf.dispose([x, y]);
    m.dispose();
  });

  it('the gap head and seeded builds: same seed, same weights and predictions', () => {
    const a = createModel('mobilenetv2', { inputSize: 32, seed: 9, head: 'gap' });
    const b = createModel('mobilenetv2', { inputSize: 32, seed: 9, head: 'gap' });
    expect(a.layers.slice(-3).map((l) => l.name)).toEqual(['hpa_head_gap', 'hpa_head_dropout', 'hpa_head_out']);
    const x = rgbyBatch(2, 32, 4);
    const [ya, yb] = [a, b].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });

  it('saved with tf.io, loads through the registry with the same predictions (every custom layer registered)', async () => {
    for (const fourChannels of ['rgb', 'widen', 'adapter'] as const) {
      const m = createModel('mobilenetv2', { inputSize: 32, seed: 3, fourChannels });
      const loaded = await roundTrip(m);
      expect(loaded.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
      const x = rgbyBatch(2, 32, 6);
      const [y0, y1] = [m, loaded].map((mm) => mm.predict(x) as tf.Tensor);
      expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
      tf.dispose([x, y0, y1]);
      m.dispose();
      loaded.dispose();
    }
  });
});

describe('frozen BatchNorm (Keras semantics: trainable = false runs in inference mode)', () => {
  function bnState(model: tf.LayersModel): Float32Array[] {
    return model.layers
      .filter((l) => l.getClassName() === 'BatchNormalization')
      .flatMap((l) => l.getWeights().map((w) => w.dataSync().slice() as Float32Array));
  }

  async function trainStep(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<void> {
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'binaryCrossentropy' });
    await model.trainOnBatch(x, y);
  }

  it("a frozen backbone's moving statistics stay put through a training step; an unfrozen one's move", async () => {
    const m = createModel('mobilenetv2', { inputSize: 32, seed: 1, head: 'gap' });
    const x = rgbyBatch(4, 32, 7);
    const y = tf.randomUniform([4, 28], 0, 1, 'float32', 8).round();
    for (const l of m.layers) if (layerRole('mobilenetv2', l.name).part === 'backbone') l.trainable = false;
    const before = bnState(m);
    await trainStep(m, x, y);
    expect(bnState(m)).toEqual(before);
    for (const l of m.layers) l.trainable = true;
    await trainStep(m, x, y);
    expect(bnState(m)).not.toEqual(before);
    tf.dispose([x, y]);
    m.dispose();
  });

  async function checkLayer(model: tf.LayersModel, layerName: string) {
    const bn = model.getLayer(layerName);
    const c = (bn.getWeights()[0].shape[0] as number) ?? 0;
    // moving statistics far from the batch's, so inference and training modes differ visibly
    const ws = bn.getWeights().map((w, i) => tf.fill(w.shape, [1.5, 0.2, 3, 4][i + (bn.getWeights().length === 3 ? 1 : 0)] ?? 1));
    bn.setWeights(ws);
    const x = tf.randomNormal([2, 4, 4, c], 0, 1, 'float32', 11);
    const stats = () => bn.getWeights().map((w) => Array.from(w.dataSync()));
    const before = stats();
    bn.trainable = false;
    const frozenTrain = bn.apply(x, { training: true }) as tf.Tensor;
    const inference = bn.apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(frozenTrain.dataSync())).toEqual(Array.from(inference.dataSync()));
    expect(stats()).toEqual(before);
    bn.trainable = true;
    const train = bn.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(train, inference))).dataSync()[0]).toBeGreaterThan(0.1);
    expect(stats()).not.toEqual(before);
    tf.dispose([...ws, x, frozenTrain, inference, train]);
  }

  it('a frozen layer outputs what inference does and leaves its statistics; γ-less BatchNorm (InceptionV3) trains; both after save and load', async () => {
    const mb = createModel('mobilenetv2', { inputSize: 32, seed: 1, head: 'gap' });
    await checkLayer(mb, 'block_3_expand_BN');
    mb.getLayer('bn_Conv1').trainable = false;
    const loaded = await roundTrip(mb);
    expect(loaded.getLayer('bn_Conv1').trainable).toBe(false);
    await checkLayer(loaded, 'bn_Conv1');
    mb.dispose();
    loaded.dispose();
    const inc = createModel('inceptionv3', { inputSize: 75, seed: 1, head: 'gap', fourChannels: 'rgb' });
    await checkLayer(inc, 'batch_normalization_3');
    inc.dispose();
  });

  it('describes a frozen transfer model: backbone parameters move to non-trainable', () => {
    const m = createModel('mobilenetv2', { inputSize: 32, seed: 1, head: 'gap', fourChannels: 'rgb' });
    for (const l of m.layers) if (layerRole('mobilenetv2', l.name).part === 'backbone') l.trainable = false;
    const d = describeModel(m);
    expect(d.trainableParams).toBe(1280 * 28 + 28);
    expect(d.totalParams).toBe(2_257_984 + 1280 * 28 + 28);
    m.dispose();
  });
});
