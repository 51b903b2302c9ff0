/**
 * Forward parity with an independent implementation: torchvision's VGG16, ResNet50, InceptionV3
 * and MobileNetV2, adapted to Keras's conventions and given the same hashed weights by
 * fixtures/transfer/parity.py, which wrote the reference outputs this test compares with.
 * Tolerance: 1e-4 relative to the largest |value| of the reference output (ResNet50's random-weight
 * activations reach ~4e5; the others 1 to 175).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../registry';
import { hashUniform, hashWeight } from './hashWeights';
import { TRANSFER_MODELS, type TransferModelName } from './blocks';

interface RefOutput {
  shape: number[];
  maxAbs: number;
  gap: number[];
  rawEvery: number;
  raw: number[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../../fixtures/transfer/parity.json'), 'utf8')) as {
  images: number;
  models: Record<TransferModelName, { inputSize: number; outputs: Record<string, RefOutput> }>;
};

const FINAL_LAYER: Record<TransferModelName, string> = { vgg16: 'block5_pool', resnet50: 'conv5_block3_out', inceptionv3: 'mixed10', mobilenetv2: 'out_relu' };
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** parity.py's images: pixel = floor(256·u) for key 'image' (RGB, NHWC), with a yellow channel the 'rgb' option drops. */
function images(n: number, size: number): tf.Tensor4D {
  const u = hashUniform('image', n * size * size * 3);
  const rgby = new Float32Array(n * size * size * 4);
  for (let p = 0; p < n * size * size; p++) {
    for (let c = 0; c < 3; c++) rgby[p * 4 + c] = Math.floor(u[p * 3 + c] * 256);
    rgby[p * 4 + 3] = 77;
  }
  return tf.tensor4d(rgby, [n, size, size, 4]);
}

function maxRelDiff(got: ArrayLike<number>, want: number[], scale: number): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  return worst;
}

describe('backbone forward parity with torchvision (same hashed weights, Keras conventions)', () => {
  for (const name of TRANSFER_MODELS) {
    it(`${name}: pooled and raw outputs within ${TOLERANCE} of the reference's scale`, () => {
      const ref = fixture.models[name];
      const model = createModel(name, { inputSize: ref.inputSize, fourChannels: 'rgb', head: 'gap' });
      let set = 0;
      for (const layer of model.layers) {
        if (layer.name.startsWith('hpa_') || layer.weights.length === 0) continue;
        const values = layer.weights.map((w) => tf.tensor(hashWeight(layer.name, w.originalName.split('/').pop()!, w.shape as number[]), w.shape as number[]));
        layer.setWeights(values);
        tf.dispose(values);
        set += values.length;
      }
      expect(set).toBeGreaterThan(0);
      const names = Object.keys(ref.outputs);
      const probe = tf.model({
        inputs: model.inputs,
        outputs: names.map((n) => model.getLayer(n === 'final' ? FINAL_LAYER[name] : n).output as tf.SymbolicTensor),
      });
      const x = images(fixture.images, ref.inputSize);
      const ys = [probe.predict(x)].flat() as tf.Tensor[];
      names.forEach((n, i) => {
        const want = ref.outputs[n];
        const y = ys[i];
        expect(y.shape, n).toEqual(want.shape);
        const gap = tf.mean(y, [1, 2]).dataSync();
        const flat = y.dataSync();
        const raw = want.raw.map((_, k) => flat[k * want.rawEvery]);
        const worst = Math.max(maxRelDiff(gap, want.gap, want.maxAbs), maxRelDiff(raw, want.raw, want.maxAbs));
        console.log(`${name} ${n}: max |studio − torchvision| / max |reference| = ${worst.toExponential(2)} (scale ${want.maxAbs.toPrecision(4)})`);
        expect(worst, `${name} ${n}`).toBeLessThan(TOLERANCE);
      });
      tf.dispose([x, ...ys]);
      model.dispose();
    }, 60_000);
  }
});
