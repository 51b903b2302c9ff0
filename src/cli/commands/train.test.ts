// The headless `train` command end to end: a tiny synthetic Kaggle zip, 2 epochs at 32 px on the default (wasm) backend.
import { loadModelZip } from '../../core/modelPackage';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { parseProbsCsv, parseThresholdsCsv } from '../../core/csv';
import { describeModel, loadModel } from '../../core/models/registry';
import { decodeCheckpoint } from '../../core/train/checkpoint';
import { makeDatasetZip } from '../../synth';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-train-'));
const { out, err } = captureConsole();

describe('hpa-studio train', () => {
  it('trains 2 epochs on a 32-sample synthetic zip: loss falls, every output file exists and parses', async () => {
    const zip = join(tmp, 'tiny.zip');
    writeFileSync(zip, await makeDatasetZip({ train: 32, test: 2, size: 32, seed: 5, capDominant: true }));
    const dir = join(tmp, 'run');
    const code = await main([
      'train',
      '--data',
      zip,
      '--model',
      'gapnet-pl',
      '--loss',
      'bce',
      '--epochs',
      '2',
      '--size',
      '32',
      '--batch',
      '8',
      '--lr',
      '0.001',
      '--seed',
      '1',
      '--holdout',
      '0.25',
      '--out',
      dir,
    ]);
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const epochLines = out.filter((l) => l.startsWith('epoch '));
    expect(epochLines).toHaveLength(2);
    expect(epochLines[0]).toMatch(/^epoch 1\/2 \[bce\] loss \d\.\d{4} {2}val_loss \d\.\d{4} {2}val_macro_F1 \d\.\d{4} .* img\/s .* ETA /);

    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.model).toMatchObject({ name: 'gapnet-pl', inputSize: 32, totalParams: 630_076 });
    expect(config.data.rows).toBe(32);
    expect(config.data.train + config.data.val).toBe(32);
    expect(config.data.val).toBeGreaterThan(0); // a stratified hold-out (iterative stratification sizes are approximate)
    expect(config.data.train).toBeGreaterThan(config.data.val);

    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history).toHaveLength(2);
    expect(history[1].loss).toBeLessThan(history[0].loss);
    const csv = readFileSync(join(dir, 'history.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0].split(',')).toHaveLength(10 + 28);

    const th = parseThresholdsCsv(readFileSync(join(dir, 'thresholds.csv'), 'utf8'));
    expect(th).toHaveLength(28);
    expect(Array.from(th).every((t) => t > 0 && t < 1)).toBe(true);
    const perClass = readFileSync(join(dir, 'per-class.csv'), 'utf8').trim().split('\n');
    expect(perClass[0]).toBe('class,name,support,precision,recall,f1,threshold');
    expect(perClass).toHaveLength(29);
    const probs = parseProbsCsv(readFileSync(join(dir, 'val-probs.csv'), 'utf8'));
    expect(probs.ids).toHaveLength(config.data.val);
    expect(Array.from(probs.probs).every((p) => p >= 0 && p <= 1)).toBe(true);
    const supports = perClass.slice(1).reduce((s, l) => s + Number(l.split(',')[2]), 0);
    expect(supports).toBeGreaterThanOrEqual(config.data.val); // every validation image has at least one label

    const json = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'));
    const weights = readFileSync(join(dir, 'model', 'weights.bin'));
    const model = await loadModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
    );
    expect(describeModel(model).totalParams).toBe(630_076);
    // model.zip is the studio's model package of the same weights: same predictions
    const pkg = await loadModelZip(new Uint8Array(readFileSync(join(dir, 'model.zip'))));
    expect(pkg.meta.modelName).toBe('gapnet-pl');
    const x = tf.randomUniform([2, 32, 32, 4], 0, 255);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (pkg.model.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    pkg.model.dispose();
    model.dispose();

    for (const kind of ['best', 'last']) expect(existsSync(join(dir, 'checkpoints', `${kind}.ckpt`))).toBe(true);
    const last = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoints', 'last.ckpt'))).buffer);
    expect(last.epoch).toBe(2);
    expect(last.history).toHaveLength(2);
  });

  it('rejects bad flags with a usage error naming the flag', async () => {
    expect(await main(['train', '--data', 'x.zip', '--out', tmp, '--loss', 'hinge'])).toBe(2);
    expect(err.join('\n')).toMatch(/--loss 'hinge' is not one of bce, focal, f1, bce-then-f1/);
    expect(await main(['train', '--data', 'x.zip', '--out', tmp, '--backend', 'webgl'])).toBe(2);
    expect(await main(['train', '--data', join(tmp, 'missing.zip'), '--out', join(tmp, 'o2'), '--size', '32'])).toBe(1);
    expect(err.join('\n')).toMatch(/cannot read --data .*missing\.zip: no such file/);
  });
});

describe('hpa-studio model-summary', () => {
  it('prints the layer table and the parameter totals', async () => {
    expect(await main(['model-summary', '--model', 'gapnet-kaggle', '--size', '512'])).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/conv1 +Conv2D +\[b,255,255,32\] +1,184/);
    expect(text).toMatch(/Total params: 595,468/);
    expect(text).toMatch(/Trainable params: 594,308/);
    expect(await main(['model-summary', '--model', 'gapnet-pl', '--size', '16'])).toBe(2);
  });
});
