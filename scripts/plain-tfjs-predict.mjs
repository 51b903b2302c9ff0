#!/usr/bin/env node
/**
 * Loads exported models with stock @tensorflow/tfjs only (no studio code is imported, so none of
 * its layer classes is registered) and prints, per model, one JSON line:
 *   { dir, tfjs, backend, registered: [stock class names], layerClasses: [model.json's], probs: [...] }
 *
 *   node scripts/plain-tfjs-predict.mjs DIR...
 *
 * Each DIR holds an unzipped model zip (model.json and its weight shards) and images.f32: raw
 * images, float32 little-endian, [n, s, s, channels] with s and channels from model.json's input.
 * src/core/portableModel.test.ts runs it in a child process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
await tf.setBackend('cpu');
const registered = Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).sort();

for (const dir of process.argv.slice(2)) {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const layers = json.modelTopology.model_config?.config?.layers ?? json.modelTopology.config.layers;
  const layerClasses = [...new Set(layers.map((l) => l.class_name))].sort();
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dir, p)));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: new Uint8Array(Buffer.concat(shards)).buffer,
    }),
  );
  const [, s, , c] = model.inputs[0].shape;
  const raw = readFileSync(join(dir, 'images.f32'));
  const images = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const x = tf.tensor4d(images, [images.length / (s * s * c), s, s, c]);
  const p = model.predict(x);
  const probs = Array.from(await p.data());
  tf.dispose([x, p]);
  model.dispose();
  console.log(JSON.stringify({ dir, tfjs: tf.version.tfjs, backend: tf.getBackend(), registered, layerClasses, probs }));
}
