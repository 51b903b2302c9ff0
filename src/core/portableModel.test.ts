// The exported model.json names only stock TF.js layer classes: a separate Node process that imports
// nothing but @tensorflow/tfjs (scripts/plain-tfjs-predict.mjs) loads it and predicts what the
// studio predicts; the studio's import puts its own layers back; older exports still import.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_SIZE, fixtureImages } from '../../fixtures/model-zip/fixtureImages';
import expectedV1 from '../../fixtures/model-zip/expected.json';
import { planDataset, renderSample } from '../synth';
import { loadModelFiles, loadModelZip, modelFiles, readModelZip, studioMeta, writeModelZip } from './modelPackage';
import { createModel, type ModelOptions } from './models/registry';
import { PORTABLE_PER_IMAGE_EPSILON, STUDIO_LAYER_CLASSES } from './portableModel';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'fixtures/model-zip');

/** The bound docs/export-format.md states: max |Δp| between the studio and plain tfjs. */
const BOUND = 1e-5;

/** Demo images as the studio stores them: RGBY interleaved, 0..255. */
function demoImages(n: number, size: number): tf.Tensor4D {
  const plan = planDataset({ train: n, test: 0, size, seed: 4, capDominant: true });
  const px = size * size;
  const x = new Float32Array(n * px * 4);
  plan.train.slice(0, n).forEach((s, r) => {
    const ch = renderSample({ id: s.id, labels: s.labels, size, seed: 4 });
    const planes = [ch.red, ch.green, ch.blue, ch.yellow];
    for (let i = 0; i < px; i++) for (let c = 0; c < 4; c++) x[(r * px + i) * 4 + c] = planes[c][i];
  });
  return tf.tensor4d(x, [n, size, size, 4]);
}

/** A model after one Adam step on the images (BatchNorm statistics move too). */
async function trained(name: string, o: ModelOptions, x: tf.Tensor4D): Promise<tf.LayersModel> {
  const model = createModel(name, { seed: 3, ...o });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'binaryCrossentropy' });
  const y = tf.cast(tf.greater(tf.randomUniform([x.shape[0], 28], 0, 1, 'float32', 2), 0.8), 'float32');
  await model.fit(x, y, { epochs: 1, batchSize: x.shape[0], verbose: 0 });
  y.dispose();
  return model;
}

async function probs(model: tf.LayersModel, x: tf.Tensor): Promise<Float32Array> {
  const p = model.predict(x) as tf.Tensor;
  const d = (await p.data()) as Float32Array;
  p.dispose();
  return d;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const layerClasses = (modelJson: Uint8Array): string[] =>
  [...new Set((JSON.parse(new TextDecoder().decode(modelJson)).modelTopology.config.layers as { class_name: string }[]).map((l) => l.class_name))].sort();

interface PlainResult {
  dir: string;
  registered: string[];
  layerClasses: string[];
  probs: number[];
}

/** Runs scripts/plain-tfjs-predict.mjs (stock tfjs only) on unzipped exports, each with its images. */
function plainTfjs(exports: { files: Map<string, Uint8Array>; x: tf.Tensor4D }[], dir: string): PlainResult[] {
  const dirs = exports.map(({ files, x }, i) => {
    const d = join(dir, `m${i}`);
    execFileSync('mkdir', ['-p', d]);
    for (const [name, bytes] of files) writeFileSync(join(d, name), bytes);
    writeFileSync(join(d, 'images.f32'), x.dataSync() as Float32Array);
    return d;
  });
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts/plain-tfjs-predict.mjs'), ...dirs], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PlainResult);
}

const CASES: { label: string; name: string; o: ModelOptions; size: number; studio: string[] }[] = [
  { label: 'gapnet-pl', name: 'gapnet-pl', o: { inputSize: 32 }, size: 32, studio: ['HpaInputNormalization', 'HpaAlphaDropout'] },
  { label: 'gapnet-kaggle', name: 'gapnet-kaggle', o: { inputSize: 32 }, size: 32, studio: ['HpaInputNormalization', 'HpaSeededDropout'] },
  {
    label: 'mobilenetv2 α 0.35, rgb',
    name: 'mobilenetv2',
    o: { inputSize: 32, alpha: 0.35, fourChannels: 'rgb' },
    size: 32,
    studio: ['HpaChannelSelect', 'HpaImagenetPreprocess', 'HpaSeededDropout'],
  },
  {
    label: 'mobilenetv2 α 0.35, widen, gap head',
    name: 'mobilenetv2',
    o: { inputSize: 32, alpha: 0.35, fourChannels: 'widen', head: 'gap' },
    size: 32,
    studio: ['HpaImagenetPreprocess', 'HpaSeededDropout'],
  },
];

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'hpa-portable-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('portable export', () => {
  it('model.json lists only classes of stock tfjs; plain tfjs in a fresh process predicts the studio model within the bound; import puts the studio layers back', async () => {
    const runs: { label: string; files: Map<string, Uint8Array>; x: tf.Tensor4D; studio: Float32Array; zip: Uint8Array }[] = [];
    for (const c of CASES) {
      const x = demoImages(8, c.size);
      const model = await trained(c.name, c.o, x);
      // the studio model names its own classes: what older exports wrote
      expect(layerClasses((await modelFiles(model)).get('model.json')!)).toEqual(expect.arrayContaining(c.studio));
      const zip = await writeModelZip(model, studioMeta(model, { modelName: c.name }));
      runs.push({ label: c.label, files: await readModelZip(zip), x, studio: await probs(model, x), zip });
      model.dispose();
    }
    const plain = plainTfjs(
      runs.map(({ files, x }) => ({ files: new Map([...files].filter(([n]) => n !== 'studio.json')), x })),
      tmp,
    );
    for (const [i, r] of runs.entries()) {
      const got = plain[i];
      expect(got.registered.filter((n) => n.startsWith('Hpa'))).toEqual([]);
      const classes = layerClasses(r.files.get('model.json')!);
      expect(classes.filter((n) => !got.registered.includes(n))).toEqual([]);
      expect(got.layerClasses).toEqual(classes);
      const d = maxDiff(got.probs, r.studio);
      console.log(`${r.label}: studio vs plain tfjs (fresh process, cpu), ${r.x.shape[0]} demo images: max |Δp| = ${d.toExponential(2)}`);
      expect(d).toBeLessThan(BOUND);

      // the studio's import: its own layers again, the run's probabilities exactly
      const back = await loadModelZip(r.zip);
      const studioClasses = back.model.layers.map((l) => l.getClassName()).filter((n) => STUDIO_LAYER_CLASSES.includes(n));
      expect([...new Set(studioClasses)].sort()).toEqual([...CASES[i].studio].sort());
      expect(maxDiff(await probs(back.model, r.x), r.studio)).toBe(0);
      // what the imported run keeps to rebuild itself
      expect(JSON.stringify(back.modelTopology)).toContain(`"class_name":"${CASES[i].studio[0]}"`);
      back.model.dispose();
      r.x.dispose();
    }
  });

  it('the stand-ins: per-image normalisation as LayerNormalization over [1, 2] (ε 1e-14), x/255 as Rescaling, dropout as Dropout/AlphaDropout', async () => {
    const json = (files: Map<string, Uint8Array>) =>
      JSON.parse(new TextDecoder().decode(files.get('model.json'))).modelTopology.config.layers as {
        name: string;
        class_name: string;
        config: Record<string, unknown>;
      }[];
    const pl = createModel('gapnet-pl', { inputSize: 32, seed: 1 });
    const layers = json(await readModelZip(await writeModelZip(pl, studioMeta(pl, { modelName: 'gapnet-pl' }))));
    expect(layers.find((l) => l.name === 'normalise')).toMatchObject({
      class_name: 'LayerNormalization',
      config: { axis: [1, 2], center: false, scale: false, epsilon: PORTABLE_PER_IMAGE_EPSILON },
    });
    expect(layers.find((l) => l.name === 'fc1_dropout')).toMatchObject({ class_name: 'AlphaDropout', config: { rate: 0.3 } });
    const kaggle = createModel('gapnet-kaggle', { inputSize: 32, seed: 1 });
    const kl = json(await readModelZip(await writeModelZip(kaggle, studioMeta(kaggle, { modelName: 'gapnet-kaggle' }))));
    expect(kl.find((l) => l.name === 'normalise')).toMatchObject({ class_name: 'Rescaling', config: { scale: 1 / 255, offset: 0 } });
    expect(kl.find((l) => l.name === 'dropout1')).toMatchObject({ class_name: 'Dropout', config: { rate: 0.3 } });
    // the studio's dropout seed is not carried: stock tfjs would draw the same mask at every step
    expect(kl.find((l) => l.name === 'dropout1')!.config.seed ?? null).toBeNull();
    pl.dispose();
    kaggle.dispose();
  });
});

describe('format-1 exports (fixtures/model-zip: model.json names the studio classes)', () => {
  const fixtures = Object.entries(expectedV1.expected);

  it.each(fixtures)('%s: imports and predicts what it predicted when written', async (_key, { file, probs: want }) => {
    const zip = new Uint8Array(readFileSync(join(FIXTURES, file)));
    const files = await readModelZip(zip);
    expect(layerClasses(files.get('model.json')!).some((n) => n.startsWith('Hpa'))).toBe(true);
    const loaded = await loadModelZip(zip, file);
    expect(loaded.metaInferred).toBe(false);
    expect(loaded.meta.thresholds[0]).toBe(0.2);
    const x = fixtureImages();
    expect(maxDiff(await probs(loaded.model, x), want)).toBe(0);
    // the bare model.json + shards, as a tf.io folder: the same
    files.delete('studio.json');
    const bare = await loadModelFiles(files, file);
    expect(maxDiff(await probs(bare.model, x), want)).toBe(0);
    tf.dispose([x]);
    loaded.model.dispose();
    bare.model.dispose();
  });

  it('exported again, they load in plain tfjs (the caffe and channel-select stand-ins among them) and import back exactly', async () => {
    const x = fixtureImages();
    expect(x.shape[1]).toBe(FIXTURE_SIZE);
    const again: { files: Map<string, Uint8Array>; x: tf.Tensor4D; want: number[]; zip: Uint8Array }[] = [];
    for (const [, { file, probs: want }] of fixtures) {
      const loaded = await loadModelZip(new Uint8Array(readFileSync(join(FIXTURES, file))), file);
      const zip = await writeModelZip(loaded.model, loaded.meta);
      again.push({ files: new Map([...(await readModelZip(zip))].filter(([n]) => n !== 'studio.json')), x, want, zip });
      loaded.model.dispose();
    }
    const plain = plainTfjs(again, tmp);
    for (const [i, a] of again.entries()) {
      expect(plain[i].layerClasses.filter((n) => !plain[i].registered.includes(n))).toEqual([]);
      const d = maxDiff(plain[i].probs, a.want);
      console.log(`${fixtures[i][0]}: format-1 fixture vs its portable export in plain tfjs: max |Δp| = ${d.toExponential(2)}`);
      expect(d).toBeLessThan(BOUND);
      const back = await loadModelZip(a.zip);
      expect(maxDiff(await probs(back.model, x), a.want)).toBe(0);
      back.model.dispose();
    }
    x.dispose();
  });
});

describe('studio.json studioLayers', () => {
  it('a damaged record is refused naming studio.json and the entry', async () => {
    const model = createModel('gapnet-pl', { inputSize: 32, seed: 1 });
    const files = await readModelZip(await writeModelZip(model, studioMeta(model, { modelName: 'gapnet-pl' })));
    const studio = JSON.parse(new TextDecoder().decode(files.get('studio.json')));
    expect(studio.studioLayers.map((r: { name: string; className: string }) => `${r.name}:${r.className}`)).toEqual([
      'normalise:HpaInputNormalization',
      'fc1_dropout:HpaAlphaDropout',
      'fc2_dropout:HpaAlphaDropout',
    ]);
    const withLayers = (studioLayers: unknown) => new Map([...files, ['studio.json', new TextEncoder().encode(JSON.stringify({ ...studio, studioLayers }))]]);
    await expect(loadModelFiles(withLayers([{ ...studio.studioLayers[0], name: 'norm' }]), 'm.zip')).rejects.toThrow(
      "m.zip: studio.json: studioLayers names layer 'norm', which model.json does not have",
    );
    await expect(loadModelFiles(withLayers([{ ...studio.studioLayers[0], className: 'Dense' }]), 'm.zip')).rejects.toThrow(
      "studio.json: studioLayers[0] (normalise): 'Dense' is not a studio layer class",
    );
    await expect(loadModelFiles(withLayers({}), 'm.zip')).rejects.toThrow('studio.json: studioLayers must be a list');
    model.dispose();
  });
});
