import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../cli/wasmBackend';
import { useKerasBatchNormIn } from './kerasBatchNorm';

/** conv (trainable) → γ-less BatchNorm (as InceptionV3's) → dense: the conv trains only if the gradient passes the BatchNorm. */
function tiny(bnTrainable: boolean): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3] });
  let x = tf.layers
    .conv2d({ name: 'conv', filters: 2, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
    .apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn', scale: false, momentum: 0.5 });
  x = bn.apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  bn.trainable = bnTrainable;
  useKerasBatchNormIn(m);
  m.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
  return m;
}

const values = (m: tf.LayersModel, layer: string) =>
  m
    .getLayer(layer)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`γ-less BatchNorm on ${backend}`, () => {
    it('frozen: passes the gradient to the layers before it and keeps its statistics; trainable: moves β and its statistics', async () => {
      if (backend === 'wasm') await useWasmBackend({ threads: 1 });
      else await tf.setBackend('cpu');
      expect(tf.getBackend()).toBe(backend);
      const x = tf.randomUniform([4, 4, 4, 3], -1, 1, 'float32', 3);
      const y = tf.tensor2d([[1], [0], [1], [0]]);
      for (const trainable of [false, true]) {
        const m = tiny(trainable);
        const [conv, bn] = [values(m, 'conv'), values(m, 'bn')];
        await m.trainOnBatch(x, y);
        expect(values(m, 'conv')).not.toEqual(conv);
        if (trainable) values(m, 'bn').forEach((w, i) => expect(w, `bn weight ${i}`).not.toEqual(bn[i]));
        else expect(values(m, 'bn')).toEqual(bn);
        m.dispose();
      }
      tf.dispose([x, y]);
    });
  });
}
