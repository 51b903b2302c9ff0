import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeLoss } from '../losses';
import { Rng } from '../rng';
import { bestLastCheckpoint } from './bestLastCheckpoint';
import { memoryBatchSource } from './batchSource';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';
import { train, type TrainingPhase } from './trainer';
import { registerAccel } from '../../accel/registry';
import { accelTraining } from '../../accel/training';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerAccel('cpu'); // as a backend start does: the studio's gradients and the fused Adam's kernel
});

const C = 28;
const side = 16;

function tinyModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [side, side, 4],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        name: 'c1',
      }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ units: C, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'head' }),
    ],
  });
}

function source() {
  const n = 16;
  const rng = new Rng(5);
  const images = Uint8Array.from({ length: n * side * side * 4 }, () => rng.int(256));
  const labels = new Uint8Array(n * C);
  for (let i = 0; i < n; i++) labels[i * C + (i % 3)] = 1;
  return memoryBatchSource({ images, imageSize: side, channels: 4, labels, numClasses: C }, { trainRows: [...Array(12).keys()], valRows: [12, 13, 14, 15] });
}

const phases = (): TrainingPhase[] => [
  { name: 'bce', epochs: 2, loss: makeLoss({ kind: 'bce' }), lr: 1e-2 },
  { name: 'soft-f1 (head)', epochs: 2, loss: makeLoss({ kind: 'soft-f1' }), lr: 1e-3, trainable: { lastLayers: 1 } },
];
// trained as the studio trains: the fused Adam (whose checkpoints must resume bit for bit too)
const base = { ...accelTraining, batchSize: 4, seed: 3, augment: { size: side, mode: 'resize' as const, flips: true, rotate90: true } };

describe('resuming a run from a checkpoint', () => {
  it('gives the same remaining epochs as the uninterrupted run, within and across phases', async () => {
    const src = source();
    const saved = new Map<number, Checkpoint>();
    const full = tinyModel();
    const keep = bestLastCheckpoint({
      monitor: 'val_loss',
      save: (kind, c) => void (kind === 'last' && saved.set(c.epoch, decodeCheckpoint(encodeCheckpoint(c)))),
    });
    const straight = await train(full, src, { ...base, phases: phases(), callbacks: [keep] });
    full.dispose();
    expect(straight.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);

    for (const from of [1, 2, 3]) {
      const model = tinyModel();
      const resumed = await train(model, src, { ...base, phases: phases(), resumeFrom: saved.get(from) });
      model.dispose();
      expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
      for (let e = from; e < 4; e++) {
        expect(resumed.history[e].loss).toBeCloseTo(straight.history[e].loss, 6);
        expect(resumed.history[e].valLoss).toBeCloseTo(straight.history[e].valLoss, 6);
        expect(resumed.history[e].phaseName).toBe(straight.history[e].phaseName);
      }
    }
  });
});
