// The exported model zip: round trips through loadModelZip and through the plain tfjs API, and clear errors.
import * as tf from '@tensorflow/tfjs';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter, type FileEntry } from '@zip.js/zip.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLASS_NAMES } from './labels';
import { checkModelFitsDataset, loadModelFiles, loadModelZip, modelFilesHandler, studioMeta, writeModelZip, type StudioMeta } from './modelPackage';
import { createModel } from './models/registry';

async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const r = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  const out = new Map<string, Uint8Array>();
  for (const e of await r.getEntries()) if (!e.directory) out.set(e.filename, await (e as FileEntry).getData(new Uint8ArrayWriter()));
  await r.close();
  return out;
}

async function zipOf(files: Map<string, Uint8Array>): Promise<Uint8Array> {
  const w = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false, level: 0 });
  for (const [name, bytes] of files) await w.add(name, new Uint8ArrayReader(bytes));
  return w.close();
}

/** A model after one Adam step on random data (BatchNorm statistics move too). */
async function trainedModel(name: 'gapnet-pl' | 'gapnet-kaggle'): Promise<tf.LayersModel> {
  const model = createModel(name, { inputSize: 32, seed: 3 });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'binaryCrossentropy' });
  const x = tf.randomUniform([4, 32, 32, 4], 0, 255, 'float32', 1);
  const y = tf.cast(tf.greater(tf.randomUniform([4, 28], 0, 1, 'float32', 2), 0.8), 'float32');
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  tf.dispose([x, y]);
  return model;
}

async function predictionsOf(model: tf.LayersModel, x: tf.Tensor): Promise<Float32Array> {
  const p = model.predict(x) as tf.Tensor;
  const d = (await p.data()) as Float32Array;
  p.dispose();
  return d;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let x: tf.Tensor4D;
beforeAll(async () => {
  await tf.setBackend('cpu');
  x = tf.randomUniform([3, 32, 32, 4], 0, 255, 'float32', 7) as tf.Tensor4D;
});

describe('model zip', () => {
  it.each(['gapnet-pl', 'gapnet-kaggle'] as const)('%s: writeModelZip → loadModelZip gives the same predictions and metadata', async (name) => {
    const model = await trainedModel(name);
    const thresholds = Array.from({ length: 28 }, (_, c) => 0.1 + c / 100);
    const meta = studioMeta(model, { modelName: name, thresholds, resizeMode: 'crop', storedSize: 48, created: new Date('2026-11-26T10:00:00Z') });
    expect(meta).toMatchObject({
      inputSize: 32,
      channels: 4,
      classNames: CLASS_NAMES,
      normalisation: name === 'gapnet-pl' ? 'per-image' : 'div255',
      tfjsVersion: tf.version.tfjs,
    });
    const zip = await writeModelZip(model, meta);
    const loaded = await loadModelZip(zip);
    expect(loaded.metaInferred).toBe(false);
    expect(loaded.meta).toEqual(meta);
    const before = await predictionsOf(model, x);
    expect(maxDiff(before, await predictionsOf(loaded.model, x))).toBeLessThan(1e-5);
    model.dispose();
    loaded.model.dispose();
  });

  it('the unzipped model.json + shards load with plain tf.loadLayersModel (fromMemory and a custom IOHandler), also split into shards', async () => {
    const model = await trainedModel('gapnet-pl');
    const before = await predictionsOf(model, x);
    const zip = await writeModelZip(model, studioMeta(model, { modelName: 'gapnet-pl' }), { shardBytes: 1_000_000 });
    const files = await unzip(zip);
    expect([...files.keys()]).toEqual(['studio.json', 'model.json', 'group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
    const json = JSON.parse(new TextDecoder().decode(files.get('model.json')));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
    // what a user does with the standard API: concatenate the manifest's shards
    const shards = json.weightsManifest[0].paths.map((p: string) => files.get(p)!);
    const weightData = new Uint8Array(shards.reduce((s: number, b: Uint8Array) => s + b.length, 0));
    let o = 0;
    for (const s of shards) {
      weightData.set(s, o);
      o += s.length;
    }
    const viaMemory = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weightData.buffer }),
    );
    expect(maxDiff(before, await predictionsOf(viaMemory, x))).toBeLessThan(1e-5);
    const viaHandler = await tf.loadLayersModel(modelFilesHandler(files));
    expect(maxDiff(before, await predictionsOf(viaHandler, x))).toBeLessThan(1e-5);
    // model.json + shards without studio.json: metadata read off the model
    files.delete('studio.json');
    const bare = await loadModelFiles(files);
    expect(bare.metaInferred).toBe(true);
    expect(bare.meta).toMatchObject({ inputSize: 32, channels: 4, normalisation: 'per-image', resizeMode: 'resize' });
    expect(maxDiff(before, await predictionsOf(bare.model, x))).toBeLessThan(1e-5);
    for (const m of [model, viaMemory, viaHandler, bare.model]) m.dispose();
  });

  it('names the problem: truncated zip, corrupt entry, missing shard, wrong shard size, no studio.json, metadata that disagrees with the model', async () => {
    const model = createModel('gapnet-pl', { inputSize: 32, seed: 1 });
    const meta = studioMeta(model, { modelName: 'gapnet-pl' });
    const zip = await writeModelZip(model, meta, { shardBytes: 1_000_000 });
    await expect(loadModelZip(zip.slice(0, zip.length - 200), 'model.zip')).rejects.toThrow(/model\.zip is truncated or not a zip/);
    await expect(loadModelZip(new TextEncoder().encode('not a zip at all'), 'model.zip')).rejects.toThrow(/model\.zip is truncated or not a zip/);
    const corrupt = zip.slice();
    corrupt[Math.floor(corrupt.length / 2)] ^= 0xff; // inside the stored shard data: CRC mismatch
    await expect(loadModelZip(corrupt, 'model.zip')).rejects.toThrow(/model\.zip is corrupt: entry group1-shard\dof3\.bin cannot be read/);

    const files = await unzip(zip);
    const noShard = new Map(files);
    noShard.delete('group1-shard2of3.bin');
    await expect(loadModelZip(await zipOf(noShard), 'model.zip')).rejects.toThrow(
      "model.zip: weight shard 'group1-shard2of3.bin' listed in model.json is missing",
    );
    const short = new Map(files);
    short.set('group1-shard3of3.bin', files.get('group1-shard3of3.bin')!.slice(8));
    await expect(loadModelZip(await zipOf(short), 'model.zip')).rejects.toThrow(
      /model\.zip: the weight shards hold 2520296 bytes but model\.json describes 2520304/,
    );
    const noMeta = new Map(files);
    noMeta.delete('studio.json');
    await expect(loadModelZip(await zipOf(noMeta), 'model.zip')).rejects.toThrow('model.zip has no studio.json');
    const wrong = new Map(files);
    wrong.set('studio.json', new TextEncoder().encode(JSON.stringify({ ...meta, inputSize: 64 })));
    await expect(loadModelZip(await zipOf(wrong), 'model.zip')).rejects.toThrow("studio.json says input 64 px but the model's input is [b,32,32,4]");
    model.dispose();
  });
});

describe('checkModelFitsDataset', () => {
  const meta = { modelName: 'gapnet-pl', inputSize: 64, channels: 4, classNames: [...CLASS_NAMES], resizeMode: 'crop', storedSize: 128 } as StudioMeta;
  it('accepts a dataset the model can run on', () => {
    expect(() => checkModelFitsDataset(meta, { imageSize: 128, channels: 4, classes: 28 })).not.toThrow();
    expect(() => checkModelFitsDataset({ ...meta, resizeMode: 'resize' }, { imageSize: 32, channels: 4, classes: 28 })).not.toThrow();
  });
  it('lists every mismatch: channels, classes, crops larger than the images', () => {
    expect(() => checkModelFitsDataset(meta, { imageSize: 48, channels: 3, classes: 27 })).toThrow(
      "model gapnet-pl (64 px, crop) does not fit the dataset: the model takes 4 channels, the dataset has 3; the model predicts 28 classes, the dataset has 27; the model was trained on 64 px crops, the dataset's images are 48 px",
    );
  });
});
