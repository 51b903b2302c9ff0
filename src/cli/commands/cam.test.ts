// `hpa-studio cam` end to end: a model zip and a synthetic Kaggle zip, the PNG checked against the map computed here, and bad inputs.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureConsole } from '../captureConsole';
import { main } from '../main';
import { openTestZip } from '../testZip';
import { readTrainZip } from '../zipDataset';
import { blendCam, camToRgba } from '../../core/cam/camOverlay';
import { gradCam } from '../../core/cam/gradCam';
import { compositeRGBY } from '../../core/composite';
import { studioMeta, writeModelZip } from '../../core/modelPackage';
import { createModel } from '../../core/models/registry';
import { makeDatasetZip, planDataset } from '../../synth';

const tmp = mkdtempSync(join(tmpdir(), 'hpa-cam-'));
const p = (name: string) => join(tmp, name);
const { out, err } = captureConsole();
const DATA = { train: 3, test: 2, size: 32, seed: 11 };
const plan = planDataset(DATA);

let model: tf.LayersModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  writeFileSync(p('data.zip'), await makeDatasetZip(DATA));
  model = createModel('gapnet-pl', { inputSize: 32, seed: 4 });
  const thresholds = Array.from({ length: 28 }, () => 0.5);
  writeFileSync(p('model.zip'), await writeModelZip(model, studioMeta(model, { modelName: 'gapnet-pl', thresholds })));
});

const png = (name: string) => decode(readFileSync(p(name)));

describe('hpa-studio cam', () => {
  it('writes the composite with the map over it, and prints the probability and the stage', async () => {
    const id = plan.train[1].id;
    expect(await main(['cam', '--model', p('model.zip'), '--data', p('data.zip'), '--id', id, '--class', '0', '--out', p('cam.png')])).toBe(0);
    expect(err).toEqual([]);
    // the same map, probabilities and picture computed here from the zip's pixels (the CLI ran on wasm: so does this)
    expect(tf.getBackend()).toBe('wasm');
    const data = await readTrainZip(p('data.zip'), { size: 32 });
    const row = data.ids.indexOf(id);
    const pixels = data.images.subarray(row * 32 * 32 * 4, (row + 1) * 32 * 32 * 4);
    const x = tf.tensor4d(pixels, [1, 32, 32, 4], 'float32');
    const cam = gradCam(model, x, 0);
    x.dispose();
    expect(out[0]).toBe(
      `class 0 Nucleoplasm: p = ${cam.probs[0].toFixed(4)} (threshold 0.50: ${cam.probs[0] > 0.5 ? 'predicted' : 'not predicted'}); true labels ${plan.train[1].labels.join(' ')}`,
    );
    // at 32 px the deeper maps are 2×2: the default is the finest
    expect(out[1]).toMatch(/^stage pool1 \(Stage 1: 8×8, 32 channels\): map 8×8, max /);
    expect(out[2]).toBe(`wrote ${p('cam.png')}: 32×32 px, overlay opacity 0.5`);
    const img = png('cam.png');
    expect([img.width, img.height, img.channels, img.depth]).toEqual([32, 32, 4, 8]);
    const composite = compositeRGBY(pixels, new Uint8ClampedArray(pixels.length));
    expect(Array.from(img.data)).toEqual(Array.from(blendCam(composite, camToRgba(cam.map, cam.width, cam.height, 32), 0.5)));
  });

  it('takes a class by name, a stage, an opacity (0: the bare composite) and a test sample', async () => {
    const id = plan.test[0].id;
    out.length = 0;
    const args = ['--model', p('model.zip'), '--data', p('data.zip'), '--id', id, '--out', p('bare.png'), '--stage', 'pool1', '--opacity', '0'];
    expect(await main(['cam', ...args, '--class', 'golgi  APPARATUS', '--backend', 'cpu'])).toBe(0);
    expect(out[0]).toMatch(/^class 7 Golgi apparatus: p = 0\.\d{4} \(threshold 0\.50: (not )?predicted\); test sample, labels unknown$/);
    expect(out[1]).toMatch(/^stage pool1 \(Stage 1: 8×8, 32 channels\): map 8×8, max /);
    // opacity 0 leaves the composite of the test image as it is
    const test = await openTestZip(p('data.zip'), { size: 32 });
    const pixels: Uint8Array[] = [];
    for await (const b of test.source.batches(1)) pixels.push(b.x as Uint8Array);
    await test.close();
    const composite = Array.from(compositeRGBY(pixels[test.ids.indexOf(id)], new Uint8ClampedArray(32 * 32 * 4)));
    expect(Array.from(png('bare.png').data)).toEqual(composite);
    expect(await main(['cam', ...args.slice(0, -1), '1', '--class', '7'])).toBe(0);
    expect(Array.from(png('bare.png').data)).not.toEqual(composite);
  });

  it('--stage list prints the stages', async () => {
    out.length = 0;
    expect(await main(['cam', '--model', p('model.zip'), '--stage', 'list'])).toBe(0);
    expect(out).toEqual(['conv8\tStage 3 (deepest): 2×2, 128 channels', 'pool2\tStage 2: 2×2, 64 channels', 'pool1\tStage 1: 8×8, 32 channels']);
  });

  it('names the bad class, stage, opacity or sample', async () => {
    const base = ['cam', '--model', p('model.zip'), '--data', p('data.zip'), '--id', plan.train[0].id, '--out', p('x.png')];
    expect(await main([...base, '--class', '28'])).toBe(2);
    expect(err.at(-1)).toMatch(/--class 28 is not a class index 0\.\.27/);
    expect(await main([...base, '--class', 'nucleol'])).toBe(2);
    expect(err.at(-1)).toMatch(/--class 'nucleol' is neither a class index 0\.\.27 nor a class name; did you mean 'Nucleoli', 'Nucleoli fibrillar center'\?/);
    expect(await main([...base, '--class', '3', '--opacity', '1.5'])).toBe(2);
    expect(err.at(-1)).toMatch(/--opacity must be a number from 0 to 1, got '1\.5'/);
    expect(await main([...base, '--class', '3', '--stage', 'fc1'])).toBe(2);
    expect(err.at(-1)).toMatch(/--stage 'fc1' is not a stage of gapnet-pl; its stages: conv8, pool2, pool1/);
    expect(await main(['cam', '--model', p('model.zip'), '--data', p('data.zip'), '--id', 'nope', '--class', '3', '--out', p('x.png')])).toBe(1);
    expect(err.at(-1)).toMatch(/data\.zip has no sample 'nope': neither train\/nope_red\.png nor test\/nope_red\.png/);
    expect(await main(['cam', '--model', p('model.zip'), '--class', '3'])).toBe(2);
    expect(err.at(-1)).toMatch(/--data is required/);
  });
});
