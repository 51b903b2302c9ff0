/**
 * Grad-CAM against an independent computation: fixtures/cam/make_cam_fixture.py builds the same
 * networks in PyTorch with the same weights (hashWeights.ts's values by Keras name), takes the
 * class logit's gradient with autograd in float64 and writes the maps; here the studio's models get
 * those weights and gradCam must agree within 1e-4 on every map and probability, on the cpu
 * backend and on wasm (the CLI's backend, with the studio's own gradient kernels).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../cli/wasmBackend';
import { hashUniform, hashWeight } from '../models/backbones/hashWeights';
import { createModel, type ModelOptions } from '../models/registry';
import { camStages, defaultCamStage, gradCam } from './gradCam';

interface FixtureMap {
  image: number;
  classIndex: number;
  stage: string;
  height: number;
  width: number;
  maxAbs: number;
  map: number[];
}
interface FixtureCase {
  model: string;
  options: ModelOptions;
  stages: string[];
  probs: number[][];
  maps: FixtureMap[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/cam/gradcam.json'), 'utf8')) as {
  imageKey: string;
  images: number;
  cases: FixtureCase[];
};

const BOUND = 1e-4;

/** The fixture's model with every weight set to its hashed value (Keras layer/weight names). */
function hashedModel(c: FixtureCase): tf.LayersModel {
  const model = createModel(c.model, c.options);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => tf.tensor(hashWeight(layer.name, w.originalName.split('/').pop()!, w.shape as number[]), w.shape as number[]));
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/** make_cam_fixture.py's images: RGBY pixel = floor(256·u), NHWC. */
function fixtureImage(size: number, index: number): tf.Tensor4D {
  const per = size * size * 4;
  const u = hashUniform(fixture.imageKey, fixture.images * per);
  const px = new Float32Array(per);
  for (let i = 0; i < per; i++) px[i] = Math.floor(u[index * per + i] * 256);
  return tf.tensor4d(px, [1, size, size, 4]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const label = (c: FixtureCase) => `${c.model}${c.options.fourChannels ? ` ${c.options.fourChannels}` : ''}${c.options.head ? ` + ${c.options.head} head` : ''}`;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Grad-CAM equals PyTorch autograd's within ${BOUND} (${backend})`, () => {
    for (const c of fixture.cases) {
      it(`${label(c)}: every stage's map and the probabilities`, async () => {
        if (backend === 'wasm') await useWasmBackend({ threads: 1 });
        else await tf.setBackend('cpu');
        expect(tf.getBackend()).toBe(backend);
        const model = hashedModel(c);
        expect(camStages(model).map((s) => s.id)).toEqual(c.stages);
        const size = c.options.inputSize;
        const images = Array.from({ length: fixture.images }, (_, i) => fixtureImage(size, i));
        let worstMap = 0;
        let worstProb = 0;
        let scale = 0;
        for (const want of c.maps) {
          const got = gradCam(model, images[want.image], want.classIndex, want.stage);
          expect([got.stage, got.height, got.width, got.classIndex]).toEqual([want.stage, want.height, want.width, want.classIndex]);
          worstMap = Math.max(worstMap, maxAbsDiff(got.map, want.map));
          worstProb = Math.max(worstProb, maxAbsDiff(got.probs, c.probs[want.image]));
          scale = Math.max(scale, want.maxAbs);
        }
        console.log(
          `${backend} ${label(c)}: max |studio − torch| maps ${worstMap.toExponential(2)} (largest value ${scale.toPrecision(3)}), probs ${worstProb.toExponential(2)}`,
        );
        expect(worstMap).toBeLessThanOrEqual(BOUND);
        expect(worstProb).toBeLessThanOrEqual(BOUND);
        tf.dispose(images);
        model.dispose();
      });
    }
  });
}

describe('gradCam on a stored model', () => {
  const pl = fixture.cases.find((c) => c.model === 'gapnet-pl')!;

  it("returns model.predict's probabilities, the default stage first, and leaves no tensor behind", async () => {
    await tf.setBackend('cpu');
    const model = hashedModel(pl);
    const x = fixtureImage(pl.options.inputSize, 0);
    const p = model.predict(x) as tf.Tensor;
    const predicted = Array.from(p.dataSync());
    p.dispose();
    const before = tf.memory().numTensors;
    const r = gradCam(model, x, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.stage).toBe('pool1'); // at 64 px the deeper maps are 4×4: the 16×16 one is shown first
    expect(Array.from(r.probs)).toEqual(predicted);
    expect(r.map.length).toBe(r.width * r.height);
    expect(r.map.every((v) => v >= 0)).toBe(true);
    x.dispose();
    model.dispose();
  });

  it('shows first the deepest stage whose map is at least 7 wide, else the finest', async () => {
    await tf.setBackend('cpu');
    const stagesAt = (inputSize: number) => {
      const model = createModel('gapnet-pl', { ...pl.options, inputSize } as ModelOptions);
      const stages = camStages(model);
      model.dispose();
      return stages;
    };
    const small = stagesAt(64);
    expect(small.map((s) => [s.id, s.side])).toEqual([
      ['conv8', 4],
      ['pool2', 4],
      ['pool1', 16],
    ]);
    expect(defaultCamStage(small).id).toBe('pool1');
    const large = stagesAt(128);
    expect(large[0].side).toBe(8);
    expect(defaultCamStage(large).id).toBe('conv8');
  });

  it('names the bad class index, image shape or stage', async () => {
    await tf.setBackend('cpu');
    const model = hashedModel(pl);
    const x = fixtureImage(pl.options.inputSize, 0);
    expect(() => gradCam(model, x, 28)).toThrow(/class index must be an integer in 0\.\.27, got 28/);
    expect(() => gradCam(model, x, 1, 'fc2')).toThrow(/layer 'fc2' does not output one 4-D map; its stages: conv8, pool2, pool1/);
    expect(() => gradCam(model, x, 1, 'nope')).toThrow(/has no layer 'nope'/);
    const small = tf.zeros([1, 32, 32, 4]) as tf.Tensor4D;
    expect(() => gradCam(model, small, 1)).toThrow(/one image \[1, 64, 64, 4\], got \[1, 32, 32, 4\]/);
    tf.dispose([x, small]);
    model.dispose();
  });

  it('stages: GAPNet its three pooled maps deepest first; each transfer model its backbone output', async () => {
    await tf.setBackend('cpu');
    const ids = (name: string, o: Partial<ModelOptions> = {}) => {
      const m = createModel(name, { inputSize: name === 'inceptionv3' ? 75 : 32, ...o });
      const s = camStages(m);
      m.dispose();
      return s;
    };
    const kaggle = ids('gapnet-kaggle');
    expect(kaggle.map((s) => s.id)).toEqual(['dropout3', 'dropout2', 'dropout1']);
    expect(kaggle.map((s) => s.label)).toEqual(['Stage 3 (deepest): 2×2, 128 channels', 'Stage 2: 2×2, 64 channels', 'Stage 1: 8×8, 32 channels']);
    expect(ids('vgg16').map((s) => s.id)).toEqual(['block5_pool']);
    expect(ids('resnet50', { head: 'gap' }).map((s) => s.id)).toEqual(['conv5_block3_out']);
    expect(ids('inceptionv3', { fourChannels: 'adapter' })).toEqual([{ id: 'mixed10', label: 'Backbone output (mixed10): 1×1, 2048 channels', side: 1 }]);
    expect(ids('mobilenetv2', { head: 'seed', fourChannels: 'rgb' }).map((s) => s.id)).toEqual(['out_relu']);
  });
});
