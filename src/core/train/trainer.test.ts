import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeLoss } from '../losses';
import { createModel } from '../models/registry';
import { Rng } from '../rng';
import { bestLastCheckpoint } from './bestLastCheckpoint';
import { memoryBatchSource, type BatchSource, type MemoryDataset } from './batchSource';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from './checkpoint';
import { TrainingController } from './controller';
import { headLayerCount } from './freeze';
import { train, type LossFn, type TrainOptions } from './trainer';
import { registerAccel } from '../../accel/registry';
import { accelTraining } from '../../accel/training';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerAccel('cpu'); // as a backend start does: the studio's gradients and the fused Adam's kernel
});

const C = 28;
const bce: LossFn = makeLoss({ kind: 'bce' });

/** n random 36-px images whose class-0 label is "the green channel is bright". */
function dataset(n: number, side = 36, seed = 1): MemoryDataset {
  const rng = new Rng(seed);
  const images = new Uint8Array(n * side * side * 4);
  const labels = new Uint8Array(n * C);
  for (let i = 0; i < n; i++) {
    const bright = i % 2 === 0;
    for (let p = 0; p < side * side; p++)
      for (let ch = 0; ch < 4; ch++) images[(i * side * side + p) * 4 + ch] = ch === 1 && bright ? 150 + rng.int(100) : rng.int(100);
    labels[i * C + (bright ? 0 : 25)] = 1;
    if (rng.next() < 0.3) labels[i * C + 2] = 1;
  }
  return { images, imageSize: side, channels: 4, labels, numClasses: C };
}

const rows = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

function options(over: Partial<TrainOptions> = {}): TrainOptions {
  return {
    ...accelTraining, // trained as the studio trains
    phases: [{ name: 'bce', epochs: 1, loss: bce, lr: 1e-3 }],
    batchSize: 4,
    seed: 7,
    augment: { size: 32, mode: 'crop', flips: true, rotate90: true },
    ...over,
  };
}

describe('training loop', () => {
  const data = dataset(12);
  // the cpu backend's filter gradient is slow (≈1.3 s per step of 4 at 32 px here): one step per epoch
  const source = memoryBatchSource(data, { trainRows: rows(0, 4), valRows: rows(8, 12) });

  it('gives the same first-epoch loss for the same seed on the cpu backend, another for another seed', async () => {
    const run = async (seed: number) => {
      const model = createModel('gapnet-pl', { inputSize: 32, seed });
      const { history } = await train(model, source, options({ seed }));
      model.dispose();
      return history[0];
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a.loss).toBe(b.loss);
    expect(a.valLoss).toBe(b.valLoss);
    expect(c.loss).not.toBe(a.loss);
    expect(a.trainImages).toBe(4);
    expect(a.valPerClassF1).toHaveLength(C);
    expect(a.valMacroF1).toBeGreaterThanOrEqual(0);
  });

  it('leaks no tensors: the count after epoch 3 equals the count after epoch 1, and all is freed after', async () => {
    const before = tf.memory().numTensors;
    const model = createModel('gapnet-kaggle', { inputSize: 32, seed: 1 });
    const counts: number[] = [];
    await train(
      model,
      source,
      options({ phases: [{ name: 'bce', epochs: 3, loss: bce, lr: 1e-3 }], callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }] }),
    );
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives each batch back (release) once, after its step has its pixels: a source that scribbles over given-back buffers trains the same', async () => {
    const inner = memoryBatchSource(data, { trainRows: rows(0, 8), valRows: rows(8, 12) });
    const released: Uint8Array[] = [];
    const scribbling: BatchSource = {
      ...inner,
      release(batch) {
        released.push(batch.x as Uint8Array);
        (batch.x as Uint8Array).fill(255); // as a reader filling the buffer with a later batch would
        inner.release!(batch);
      },
    };
    const run = async (s: BatchSource) => {
      const model = createModel('gapnet-pl', { inputSize: 32, seed: 6 });
      const { history } = await train(model, s, options({ phases: [{ name: 'bce', epochs: 2, loss: bce, lr: 1e-3 }] }));
      const weights = Array.from(model.getLayer('conv1').getWeights()[0].dataSync());
      model.dispose();
      return { losses: history.map((h) => [h.loss, h.valLoss]), weights };
    };
    const plainRun = await run(memoryBatchSource(data, { trainRows: rows(0, 8), valRows: rows(8, 12) }));
    const scribbled = await run(scribbling);
    expect(scribbled).toEqual(plainRun);
    // 2 epochs of 2 training batches and 1 validation batch, each given back once
    expect(released).toHaveLength(6);
    expect(released.every((b) => b.length === 4 * 36 * 36 * 4)).toBe(true);
  });

  it('lowers the training loss over epochs', async () => {
    const model = createModel('gapnet-pl', { inputSize: 32, seed: 2 });
    const { history } = await train(model, source, options({ phases: [{ name: 'bce', epochs: 3, loss: bce, lr: 3e-3 }] }));
    model.dispose();
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(history[2].loss).toBeLessThan(history[0].loss);
  });

  it('fine-tunes only the head in a second phase with a new optimizer', async () => {
    const model = createModel('gapnet-kaggle', { inputSize: 32, seed: 5 });
    // the kernel's "last 7 layers": no conv or BatchNorm among them, only the dense head
    expect(headLayerCount(model)).toBe(6);
    expect(model.layers.slice(-7).map((l) => l.name)).toEqual(['gap3', 'concat', 'fc1', 'dropout4', 'fc2', 'dropout5', 'fc3']);
    const snapshot = (name: string) => Array.from(model.getLayer(name).getWeights()[0].dataSync());
    let convAfterPhase1: number[] = [];
    let fcAfterPhase1: number[] = [];
    const { history } = await train(
      model,
      source,
      options({
        phases: [
          { name: 'bce', epochs: 1, loss: bce, lr: 1e-3 },
          { name: 'head', epochs: 1, loss: bce, lr: 1e-4, trainable: { lastLayers: 7 } },
        ],
        callbacks: [
          {
            onPhaseStart: (ctx) => {
              if (ctx.phase === 1) {
                convAfterPhase1 = snapshot('conv3');
                fcAfterPhase1 = snapshot('fc1');
                expect(ctx.learningRate).toBe(1e-4);
              }
            },
          },
        ],
      }),
    );
    expect(history.map((h) => h.phaseName)).toEqual(['bce', 'head']);
    expect(snapshot('conv3')).toEqual(convAfterPhase1);
    expect(snapshot('fc1')).not.toEqual(fcAfterPhase1);
    expect(model.layers.every((l) => l.trainable)).toBe(true); // unfrozen afterwards
    model.dispose();
  });

  it('pauses and resumes between batches, and stops on request', async () => {
    const model = createModel('gapnet-pl', { inputSize: 32, seed: 1 });
    const controller = new TrainingController();
    let batches = 0;
    let pausedAt = 0;
    let nextReportAt = 0;
    const res = await train(
      model,
      source,
      options({
        controller,
        batchSize: 1,
        callbacks: [
          {
            onBatchEnd: (_ctx, logs) => {
              batches++;
              if (logs.batch === 1) nextReportAt = performance.now();
              if (logs.batch === 0) {
                controller.pause();
                pausedAt = performance.now();
                setTimeout(() => controller.resume(), 60);
              }
            },
          },
        ],
      }),
    );
    expect(res.stoppedBy).toBeNull();
    expect(batches).toBe(4);
    // batch 1 was already in flight; the pause held before batch 2, and batch 1 is reported after it
    expect(nextReportAt - pausedAt).toBeGreaterThanOrEqual(55);

    const stopper = new TrainingController();
    let seen = 0;
    const stopped = await train(
      model,
      source,
      options({
        controller: stopper,
        batchSize: 2,
        phases: [{ name: 'bce', epochs: 3, loss: bce, lr: 1e-3 }],
        callbacks: [
          {
            onBatchEnd: () => {
              seen++;
              stopper.stop();
            },
          },
        ],
      }),
    );
    // Stop during batch 0's report: batch 1 was queued before batch 0's loss was read (trainer.ts
    // reads each loss one step late), so it completes and is reported, and nothing after it runs
    expect(seen).toBe(2);
    expect(stopped.stoppedBy).toMatch(/stopped/);
    expect(stopped.history).toEqual([]);
    model.dispose();
  });

  it('sees a pause sent as a message (a task, like a worker message) after the batch in flight, not at the end of the epoch', async () => {
    // on wasm and cpu a step's `await loss.data()` resolves without ever giving the event loop a
    // turn, so a worker's onmessage (Pause, Stop) would wait for the epoch to end; a small model
    // keeps this test fast on cpu: the loop's behaviour, not the model, is under test
    const small = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [32, 32, 4] }), tf.layers.dense({ units: C, activation: 'sigmoid', kernelInitializer: 'zeros' })],
    });
    const twelve = memoryBatchSource(dataset(16), { trainRows: rows(0, 12), valRows: rows(12, 16) });
    const controller = new TrainingController();
    let batches = 0;
    let pausedAfter: number | null = null;
    let resumedAfter: number | null = null;
    const page = new MessageChannel(); // the page's side posts, the worker's side listens
    page.port2.onmessage = () => {
      pausedAfter = batches;
      controller.pause();
      setTimeout(() => ((resumedAfter = batches), controller.resume()), 30);
    };
    await train(
      small,
      twelve,
      options({
        controller,
        batchSize: 2,
        callbacks: [{ onBatchEnd: (_ctx, logs) => void (batches++, logs.batch === 0 && page.port1.postMessage('pause')) }],
      }),
    );
    page.port1.close();
    page.port2.close();
    // seen after the batch in flight (or, at most, the one after it), of the epoch's 6
    expect(pausedAfter).not.toBeNull();
    expect(pausedAfter!).toBeLessThanOrEqual(2);
    expect(resumedAfter).toBe(pausedAfter); // nothing trained while paused
    expect(batches).toBe(6); // then the epoch ran to its end
    small.dispose();
  });

  it('keeps best and last checkpoints that serialise to an ArrayBuffer and restore the weights exactly', async () => {
    const model = createModel('gapnet-kaggle', { inputSize: 32, seed: 9 });
    const saved: string[] = [];
    const ckpt = bestLastCheckpoint({ monitor: 'val_loss', save: (kind, c) => void saved.push(`${kind}@${c.epoch}`) });
    await train(model, source, options({ phases: [{ name: 'bce', epochs: 2, loss: bce, lr: 1e-3 }], callbacks: [ckpt], meta: { model: 'gapnet-kaggle' } }));
    expect(saved.filter((s) => s.startsWith('last'))).toEqual(['last@1', 'last@2']);
    expect(saved[1]).toBe('best@1');
    const last = ckpt.last!;
    expect(last.epoch).toBe(2);
    expect(last.optimizerStep).toBe(2);
    expect(last.history).toHaveLength(2);
    expect(last.weights.find((w) => w.name === 'bn1/moving_mean')).toBeDefined();

    const buf = encodeCheckpoint(last);
    expect(buf).toBeInstanceOf(ArrayBuffer);
    const back = decodeCheckpoint(buf);
    expect(back.meta).toEqual({ model: 'gapnet-kaggle' });
    expect(back.history).toEqual(last.history);
    expect(back.weights.map((w) => w.name)).toEqual(last.weights.map((w) => w.name));
    expect(Array.from(back.weights[3].data)).toEqual(Array.from(last.weights[3].data));
    expect(back.optimizer.length).toBe(last.optimizer.length);

    const fresh = createModel('gapnet-kaggle', { inputSize: 32, seed: 123 });
    await restoreCheckpoint(fresh, back);
    const x = tf.randomUniform([2, 32, 32, 4], 0, 255, 'float32', 1);
    const [p, q] = [model.predict(x) as tf.Tensor, fresh.predict(x) as tf.Tensor];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
    expect(() => decodeCheckpoint(new ArrayBuffer(16))).toThrow(/not a checkpoint/);
    const other = createModel('gapnet-pl', { inputSize: 32 });
    await expect(restoreCheckpoint(other, back)).rejects.toThrow(/weight 'conv5\/kernel' is \[3,3,64,128\] in the checkpoint but \[3,3,64,64\]/);
    [model, fresh, other].forEach((m) => m.dispose());
  });
});
