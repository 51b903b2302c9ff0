/**
 * A transfer model's schedule through the trainer, as the studio runs it (prepareRun's phases, the
 * fused Adam, checkpoints): MobileNetV2 at 32 px with the seed's head on a few synthetic images, on
 * the cpu backend. The warm-up leaves every backbone weight bit for bit as it was — BatchNorm's
 * moving statistics included (Keras's frozen BatchNorm runs in inference mode) — while the head
 * learns; the fine-tune moves the backbone; 'last N blocks' trains exactly those blocks' layers; and a
 * run resumed from its checkpoint at the end of the warm-up, or in the middle of the fine-tune, ends
 * with the same weights and losses as the run that was never interrupted.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../models/registry';
import { backboneBlockCount, blockNames, layerRole } from '../models/backbones/blocks';
import { Rng } from '../rng';
import { DEFAULT_RUN, transferDefaults, type RunConfig } from '../runConfig';
import { memoryBatchSource } from './batchSource';
import { bestLastCheckpoint } from './bestLastCheckpoint';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';
import { setTrainable } from './freeze';
import { prepareRun } from './recipe';
import { train, type TrainOptions } from './trainer';
import { registerAccel } from '../../accel/registry';
import { accelTraining } from '../../accel/training';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerAccel('cpu'); // as a backend start does: the studio's gradients and the fused Adam's kernel
});

const C = 28;
const side = 32;
const N = 10;

function images() {
  const rng = new Rng(11);
  const labelSets = Array.from({ length: N }, (_, i) => [i % 3, 5 + (i % 2)]);
  const labels = new Uint8Array(N * C);
  labelSets.forEach((ls, i) => ls.forEach((k) => (labels[i * C + k] = 1)));
  const bytes = Uint8Array.from({ length: N * side * side * 4 }, () => rng.int(256));
  return { labelSets, data: { images: bytes, imageSize: side, channels: 4 as const, labels, numClasses: C } };
}

function config(over: Partial<RunConfig['transfer']> = {}, epochs = 1): RunConfig {
  const base = transferDefaults('mobilenetv2', side);
  return {
    ...base,
    epochs,
    batchSize: 4,
    seed: 5,
    sampler: 'none',
    plateau: null,
    earlyStopPatience: 0,
    augment: { flips: true, rotate90: false },
    split: { kind: 'holdout', fraction: 0.3 },
    transfer: { ...base.transfer!, warmupEpochs: 1, ...over },
  };
}

function setup(c: RunConfig) {
  const { labelSets, data } = images();
  const prepared = prepareRun(c, labelSets);
  const source = memoryBatchSource(data, { trainRows: Array.from(prepared.sampledRows), valRows: prepared.valRows });
  const options: TrainOptions = { ...accelTraining, phases: prepared.phases, batchSize: c.batchSize, seed: c.seed, augment: prepared.augment };
  const model = () => createModel(c.model, { inputSize: c.inputSize, seed: c.seed, fourChannels: c.transfer!.channels, head: c.transfer!.head });
  return { prepared, source, options, model };
}

type Snapshot = Map<string, Float32Array>;
const snapshot = (model: tf.LayersModel): Snapshot => new Map(model.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
const layerOf = (weightName: string) => weightName.split('/')[0];
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('transfer schedule', () => {
  it('prepareRun: a frozen warm-up at its own rate, then the fine-tune at the run rate, with the contract names', () => {
    const { prepared } = setup(config({ unfreeze: { lastBlocks: 2 } }, 3));
    expect(prepared.phases.map((p) => [p.name, p.epochs, p.lr, p.trainable])).toEqual([
      ['warm-up (backbone frozen)', 1, 1e-3, { backbone: 'frozen' }],
      ['fine-tune (last 2 blocks)', 3, 1e-4, { backbone: { lastBlocks: 2 } }],
    ]);
    expect(prepared.totalEpochs).toBe(4);
    expect(setup(config({ warmupEpochs: 0 })).prepared.phases.map((p) => p.name)).toEqual(['fine-tune (all layers)']);
    // GAPNet runs keep their phases
    expect(prepareRun({ ...DEFAULT_RUN, split: { kind: 'holdout', fraction: 0.3 } }, images().labelSets).phases.map((p) => p.name)).toEqual(['focal']);
  });

  it("'last N blocks' makes exactly the head, the studio's layers and those blocks' layers trainable", () => {
    const model = createModel('mobilenetv2', { inputSize: side, seed: 1 });
    const B = backboneBlockCount('mobilenetv2');
    setTrainable(model, { backbone: { lastBlocks: 2 } });
    const trainable = model.layers.filter((l) => l.trainable && l.weights.length).map((l) => l.name);
    const expected = model.layers
      .filter((l) => l.weights.length)
      .filter((l) => {
        const r = layerRole('mobilenetv2', l.name);
        return r.part !== 'backbone' || r.block! >= B - 2;
      })
      .map((l) => l.name);
    expect(trainable).toEqual(expected);
    expect(blockNames('mobilenetv2').slice(-2)).toEqual(['block_16', 'Conv_1']);
    expect(trainable).toEqual(expect.arrayContaining(['block_16_expand', 'block_16_depthwise_BN', 'Conv_1', 'Conv_1_bn', 'hpa_head_bn', 'hpa_head_out']));
    expect(trainable.some((n) => n.startsWith('block_15_'))).toBe(false);
    setTrainable(model, { backbone: 'frozen' });
    expect(model.layers.filter((l) => l.trainable && l.weights.length).every((l) => l.name.startsWith('hpa_'))).toBe(true);
    model.dispose();
  });

  it('the warm-up leaves the backbone bit for bit (BatchNorm statistics too) while the head learns; the fine-tune moves it', async () => {
    const c = config({}, 1);
    const { source, options, model: build } = setup(c);
    const model = build();
    const before = snapshot(model);
    let afterWarmup: Snapshot | null = null;
    const { history } = await train(model, source, {
      ...options,
      callbacks: [{ onEpochEnd: (_ctx, logs) => void (logs.phase === 0 && (afterWarmup = snapshot(model))) }],
    });
    const after = snapshot(model);
    model.dispose();
    expect(history.map((h) => h.phaseName)).toEqual(['warm-up (backbone frozen)', 'fine-tune (all layers)']);
    expect(history.map((h) => h.learningRate)).toEqual([1e-3, 1e-4]);
    const backbone = [...before.keys()].filter((n) => layerRole('mobilenetv2', layerOf(n)).part === 'backbone');
    const moving = backbone.filter((n) => /moving_(mean|variance)/.test(n));
    expect(moving.length).toBe(104); // moving mean and variance of the 52 BatchNorm layers of MobileNetV2
    for (const n of backbone) expect(same(afterWarmup!.get(n)!, before.get(n)!), `${n} after the warm-up`).toBe(true);
    expect(same(afterWarmup!.get('hpa_head_out/kernel')!, before.get('hpa_head_out/kernel')!)).toBe(false);
    // the fine-tune trains every layer: kernels and BatchNorm statistics of the backbone move
    const changed = (n: string) => !same(after.get(n)!, afterWarmup!.get(n)!);
    expect(changed('Conv1/kernel')).toBe(true);
    expect(changed('block_16_project/kernel')).toBe(true);
    expect(changed('bn_Conv1/moving_mean')).toBe(true);
    expect(backbone.filter((n) => !changed(n))).toEqual([]);
  }, 300_000);

  it('resumes from the end of the warm-up and from mid fine-tune to the weights and losses of the uninterrupted run', async () => {
    const c = config({ unfreeze: { lastBlocks: 3 } }, 2);
    const { source, options, model: build } = setup(c);
    const saved = new Map<number, Checkpoint>();
    const keep = bestLastCheckpoint({
      monitor: 'val_loss',
      save: (kind, ck) => void (kind === 'last' && saved.set(ck.epoch, decodeCheckpoint(encodeCheckpoint(ck)))),
    });
    const full = build();
    const straight = await train(full, source, { ...options, callbacks: [keep] });
    const end = snapshot(full);
    full.dispose();
    expect(straight.history.map((h) => h.phase)).toEqual([0, 1, 1]);
    expect(saved.get(1)!.phase).toBe(0); // the end of the warm-up
    expect(saved.get(2)!.phase).toBe(1); // mid fine-tune, with the fine-tune's Adam state
    for (const from of [1, 2]) {
      const model = build();
      const resumed = await train(model, source, { ...options, resumeFrom: saved.get(from) });
      const got = snapshot(model);
      model.dispose();
      expect(resumed.history.map((h) => h.phaseName)).toEqual(straight.history.map((h) => h.phaseName));
      for (let e = from; e < 3; e++) {
        expect(resumed.history[e].loss, `loss of epoch ${e + 1} resumed from ${from}`).toBe(straight.history[e].loss);
        expect(resumed.history[e].valLoss).toBe(straight.history[e].valLoss);
      }
      const differing = [...end.keys()].filter((n) => !same(got.get(n)!, end.get(n)!));
      expect(differing, `weights resumed from epoch ${from}`).toEqual([]);
    }
  }, 400_000);
});
