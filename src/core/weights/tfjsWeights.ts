/**
 * Weights from a TF.js layers model: its model.json (the `weightsManifest`) and the binary shards it
 * names, dropped as files or as one zip of them. Decoding (float32, float16/uint8 quantisation) is
 * tf.io's, so whatever tfjs saves or tensorflowjs_converter writes reads here.
 */
import * as tf from '@tensorflow/tfjs';
import { readZipFiles } from '../zipFiles';
import { shortWeightName, type NamedWeight } from './namedWeight';
import { WeightsFileError } from './kerasH5';

export interface DroppedFile {
  name: string;
  bytes: Uint8Array;
}

const baseName = (p: string) => p.replace(/^.*[\\/]/, '');

/** The files of a TF.js model, whether dropped as model.json + shards or as one zip of them. */
async function unpack(files: DroppedFile[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const f of files) {
    if (/\.zip$/i.test(f.name)) {
      const fail = (m: string) => new WeightsFileError(m);
      for (const [name, bytes] of await readZipFiles(f.bytes, f.name, { names: 'basename', fail })) out.set(name, bytes);
    } else out.set(baseName(f.name), f.bytes);
  }
  return out;
}

/** The layer a stored weight name belongs to: 'block1_conv1/kernel' → 'block1_conv1' (a model scope in front is dropped). */
function layerOf(stored: string): string | null {
  const parts = stored.replace(/:\d+$/, '').split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : null;
}

/**
 * Every weight of a TF.js layers model, in the manifest's order. `files` are model.json and its
 * shards (any folder prefix is ignored) or a zip holding them.
 */
export async function readTfjsLayersWeights(files: DroppedFile[]): Promise<NamedWeight[]> {
  const all = await unpack(files);
  const jsonName = all.has('model.json') ? 'model.json' : [...all.keys()].find((n) => /\.json$/i.test(n));
  if (!jsonName)
    throw new WeightsFileError(
      `no model.json among ${[...all.keys()].join(', ') || 'the dropped files'}: a TF.js layers model is a model.json with its .bin shards`,
    );
  let json: { format?: string; modelTopology?: unknown; weightsManifest?: tf.io.WeightsManifestConfig };
  try {
    json = JSON.parse(new TextDecoder().decode(all.get(jsonName)));
  } catch (e) {
    throw new WeightsFileError(`${jsonName} is not valid JSON (${(e as Error).message})`);
  }
  if (json.format === 'graph-model')
    throw new WeightsFileError(
      `${jsonName} is a TF.js graph model; its weights carry no Keras layer names. Convert the Keras model as a layers model (tensorflowjs_converter --output_format tfjs_layers_model)`,
    );
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new WeightsFileError(`${jsonName} has no 'weightsManifest': it is not a TF.js layers model`);

  const out: NamedWeight[] = [];
  for (const group of manifest) {
    const shards = group.paths.map((p) => {
      const bytes = all.get(baseName(p));
      if (!bytes)
        throw new WeightsFileError(`${jsonName} names the weight shard '${p}', which is not among the dropped files (drop the whole folder, or a zip of it)`);
      return bytes.slice().buffer as ArrayBuffer;
    });
    const expected = group.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * bytesPerValue(w), 0);
    const got = shards.reduce((s, b) => s + b.byteLength, 0);
    if (got < expected)
      throw new WeightsFileError(`the shards ${group.paths.join(', ')} hold ${got} bytes, but ${jsonName} describes ${expected}: a shard is truncated`);
    const tensors = tf.io.decodeWeights(shards, group.weights);
    try {
      for (const spec of group.weights) {
        const layer = layerOf(spec.name);
        if (!layer) throw new WeightsFileError(`${jsonName}: weight '${spec.name}' has no layer name in front ('layer/weight')`);
        if (spec.dtype && spec.dtype !== 'float32')
          throw new WeightsFileError(`${jsonName}: weight '${spec.name}' is ${spec.dtype}; weights must be floating point`);
        const t = tensors[spec.name];
        out.push({ layer, weight: shortWeightName(spec.name), shape: [...spec.shape], data: new Float32Array(t.dataSync() as Float32Array) });
      }
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }
  return out;
}

function bytesPerValue(w: tf.io.WeightsManifestEntry): number {
  const q = w.quantization?.dtype;
  if (q) return q === 'uint8' ? 1 : 2;
  return w.dtype === 'float32' || w.dtype === 'int32' || !w.dtype ? 4 : 1;
}
