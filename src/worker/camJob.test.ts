import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictTensor, type ModelView } from '../core/predict';
import { batchTensor } from '../core/augment';
import { camInput, camRegion } from './camJob';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small convolutional model whose output depends on where each pixel is, so a wrong window or size changes it. */
function tinyModel(size: number): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 4] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input);
  const flat = tf.layers.flatten().apply(conv);
  const out = tf.layers
    .dense({ units: 28, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })
    .apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function image(stored: number): Uint8Array {
  const px = new Uint8Array(stored * stored * 4);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + (i >> 5) * 11) % 256;
  return px;
}

describe('camRegion', () => {
  it('is the whole stored image for a resize model and the centre crop for a crop model', () => {
    expect(camRegion(48, { inputSize: 32, resizeMode: 'resize' })).toEqual({ top: 0, left: 0, size: 48 });
    expect(camRegion(48, { inputSize: 32, resizeMode: 'crop' })).toEqual({ top: 8, left: 8, size: 32 });
    expect(camRegion(33, { inputSize: 32, resizeMode: 'crop' })).toEqual({ top: 0, left: 0, size: 32 });
  });
});

describe('camInput', () => {
  const views: ModelView[] = [
    { inputSize: 16, resizeMode: 'resize' },
    { inputSize: 16, resizeMode: 'crop' },
  ];
  for (const view of views)
    it(`gives the model what prediction gives it (${view.resizeMode}, one centre window)`, async () => {
      const stored = 24;
      const model = tinyModel(view.inputSize);
      const px = image(stored);
      const x = camInput(px, stored, view);
      expect(x.shape).toEqual([1, 16, 16, 4]);
      expect(x.dtype).toBe('float32');
      const viaCam = (model.predict(x) as tf.Tensor).dataSync();
      const batch = batchTensor(px, 1, 4);
      const viaPredict = predictTensor(model, batch, view, { tiling: 'centre' }).dataSync();
      expect(Array.from(viaCam)).toEqual(Array.from(viaPredict));
      // and not what the top-left window gives
      const corner = tf.tidy(() => (model.predict(tf.slice(batch, [0, 0, 0, 0], [1, 16, 16, 4])) as tf.Tensor).dataSync());
      expect(Array.from(viaCam)).not.toEqual(Array.from(corner));
      tf.dispose([x, batch]);
      model.dispose();
    });

  it('refuses pixels that are not one stored image', () => {
    expect(() => camInput(new Uint8Array(10), 24, views[0])).toThrow(/10 bytes is not 24² × 4/);
  });
});
