/**
 * The exported model in stock TF.js layers only, so that plain `tf.loadLayersModel` (and anything
 * else that reads the TF.js layers format) loads it with no studio code. Each studio layer class
 * becomes the stock layer that computes the same at inference:
 *
 *  - HpaSeededDropout → Dropout, HpaAlphaDropout → AlphaDropout (identity at inference; the
 *    studio's seed, which would give stock tfjs the same mask at every step, is not carried).
 *  - HpaInputNormalization 'div255' → Rescaling(1/255): x·(1/255) instead of x/255, within an ulp.
 *  - HpaInputNormalization 'per-image' → LayerNormalization over axes [1, 2] without γ and β, ε =
 *    1e-14: (x − mean)/sqrt(var + 1e-14) instead of (x − mean)/(sqrt(var) + 1e-7). No stock layer
 *    computes the studio's form; the two agree to a relative 1e-7/std, and exactly on a constant
 *    channel (both give 0). docs/export-format.md gives the measured difference.
 *  - HpaImagenetPreprocess 'tf' → Rescaling(1/127.5, offset −1), within an ulp; 'caffe' → a frozen
 *    1×1 Conv2D whose kernel is the RGB → BGR permutation and whose bias is minus the means: each
 *    output is one product by 1 plus the bias, so it is exact.
 *  - HpaChannelSelect → a frozen 1×1 Conv2D without bias, its kernel one-hot: exact.
 *
 * Layers keep their names, so the rest of the network and its weights are untouched.
 * `studioLayers` records what each replaced layer was; studio.json carries it, and on import
 * `restoreStudioLayers` puts the studio classes back, so an imported export predicts exactly what
 * the run did. An export without that record (or a plain TF.js model) loads as it is.
 */
import * as tf from '@tensorflow/tfjs';
import { CAFFE_BGR_MEANS } from './models/backbones/blocks';
import { ChannelSelect } from './models/layers/channelSelect';
import { ImagenetPreprocess } from './models/layers/imagenetPreprocess';
import { InputNormalization, PER_IMAGE_EPSILON, type NormalisationMode } from './models/layers/inputNormalization';
import { AlphaDropout, SeededDropout } from './models/layers/seededDropout';

/** LayerNormalization's ε for the per-image normalisation: sqrt(0 + ε) = 1e-7, the studio's denominator on a constant channel. */
export const PORTABLE_PER_IMAGE_EPSILON = PER_IMAGE_EPSILON * PER_IMAGE_EPSILON;

/** The studio's own layer classes, which stock TF.js does not know. */
export const STUDIO_LAYER_CLASSES: readonly string[] = [
  InputNormalization.className,
  SeededDropout.className,
  AlphaDropout.className,
  ImagenetPreprocess.className,
  ChannelSelect.className,
];

/** A layer of the portable model.json that stands in for a studio layer: the studio layer's class name and config as model.json wrote them before. */
export interface StudioLayerRecord {
  name: string;
  className: string;
  config: Record<string, unknown>;
}

/** One layer entry of a model topology (model.toJSON's Python-style keys). */
interface LayerEntry {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown;
}

interface Topology {
  class_name: string;
  config: { layers: LayerEntry[] };
}

function topologyLayers(topology: unknown): LayerEntry[] {
  const layers = (topology as Partial<Topology> | null)?.config?.layers;
  if (!Array.isArray(layers)) throw new Error('the model topology has no layer list');
  return layers;
}

/** A frozen 1×1 convolution computing output channel o = input channel from[o] (+ bias[o]). */
function selectConv(
  name: string,
  channelsIn: number,
  from: readonly number[],
  bias: readonly number[] | null,
): { layer: tf.layers.Layer; weights: tf.Tensor[] } {
  const kernel = new Float32Array(channelsIn * from.length);
  from.forEach((c, o) => (kernel[c * from.length + o] = 1));
  const layer = tf.layers.conv2d({ name, filters: from.length, kernelSize: 1, useBias: bias !== null, trainable: false });
  const weights = [tf.tensor4d(kernel, [1, 1, channelsIn, from.length]), ...(bias ? [tf.tensor1d([...bias])] : [])];
  return { layer, weights };
}

/** The stock layer computing what a studio layer computes at inference (and its fixed weights), or null for a stock layer. */
function stockLayerFor(layer: tf.layers.Layer): { layer: tf.layers.Layer; weights?: tf.Tensor[] } | null {
  const name = layer.name;
  const channelsIn = () => {
    const s = (layer.input as tf.SymbolicTensor).shape;
    return s[s.length - 1] as number;
  };
  if (layer instanceof SeededDropout) return { layer: tf.layers.dropout({ name, rate: layer.rate }) };
  if (layer instanceof AlphaDropout) return { layer: tf.layers.alphaDropout({ name, rate: layer.rate }) };
  if (layer instanceof InputNormalization) {
    return {
      layer:
        layer.mode === 'div255'
          ? tf.layers.rescaling({ name, scale: 1 / 255 })
          : tf.layers.layerNormalization({ name, axis: [1, 2], center: false, scale: false, epsilon: PORTABLE_PER_IMAGE_EPSILON }),
    };
  }
  if (layer instanceof ImagenetPreprocess) {
    if (layer.mode === 'tf') return { layer: tf.layers.rescaling({ name, scale: 1 / 127.5, offset: -1 }) };
    const c = channelsIn();
    if (c !== 3 && c !== 4) throw new Error(`${name}: 'caffe' preprocessing takes 3 or 4 channels, got ${c}`);
    const means = c === 3 ? [...CAFFE_BGR_MEANS] : [...CAFFE_BGR_MEANS, CAFFE_BGR_MEANS[2]];
    return selectConv(
      name,
      c,
      c === 3 ? [2, 1, 0] : [2, 1, 0, 3],
      means.map((m) => -m),
    );
  }
  if (layer instanceof ChannelSelect) return selectConv(name, channelsIn(), layer.channels, null);
  if (STUDIO_LAYER_CLASSES.includes(layer.getClassName())) throw new Error(`${name}: no stock TF.js layer for ${layer.getClassName()}`);
  return null;
}

/** The topology entry (class name and config) tfjs writes for a layer applied to inputs of `inputShape`. */
function serialisedLayer(layer: tf.layers.Layer, inputShape: (number | null)[]): Pick<LayerEntry, 'class_name' | 'config'> {
  const input = tf.input({ shape: inputShape.slice(1) as number[] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  const entry = topologyLayers(model.toJSON(null, false)).find((l) => l.name === layer.name)!;
  model.dispose();
  return { class_name: entry.class_name, config: entry.config };
}

export interface PortableModel {
  /** the stock-only model; `model` itself when it had no studio layer (then not to be disposed separately) */
  model: tf.LayersModel;
  studioLayers: StudioLayerRecord[];
}

/**
 * A copy of the model in stock TF.js layers (see the top of this file), sharing the original's
 * weights; the fixed weights of the replacement convolutions are its own.
 */
export async function portableModel(model: tf.LayersModel): Promise<PortableModel> {
  const topology = model.toJSON(null, false) as unknown as Topology;
  const studioLayers: StudioLayerRecord[] = [];
  const fixedWeights = new Map<string, tf.Tensor[]>();
  for (const entry of topologyLayers(topology)) {
    const stock = stockLayerFor(model.getLayer(entry.name));
    if (!stock) continue;
    studioLayers.push({ name: entry.name, className: entry.class_name, config: entry.config });
    const inputShape = (model.getLayer(entry.name).input as tf.SymbolicTensor).shape;
    Object.assign(entry, serialisedLayer(stock.layer, inputShape));
    if (stock.weights) fixedWeights.set(entry.name, stock.weights);
  }
  if (!studioLayers.length) return { model, studioLayers };
  const portable = await tf.models.modelFromJSON({ modelTopology: topology } as unknown as tf.io.ModelJSON);
  try {
    for (const layer of portable.layers) {
      const fixed = fixedWeights.get(layer.name);
      if (fixed) layer.setWeights(fixed);
      else if (layer.weights.length) layer.setWeights(model.getLayer(layer.name).getWeights());
    }
  } catch (e) {
    portable.dispose();
    throw e;
  } finally {
    tf.dispose([...fixedWeights.values()].flat());
  }
  return { model: portable, studioLayers };
}

/** Throws naming the first entry of a studio.json `studioLayers` list that is not a studio layer record. */
export function checkStudioLayers(value: unknown): StudioLayerRecord[] {
  if (!Array.isArray(value)) throw new Error(`studioLayers must be a list, got ${JSON.stringify(value)}`);
  value.forEach((r: Partial<StudioLayerRecord> | null, i) => {
    if (!r || typeof r.name !== 'string' || typeof r.className !== 'string' || !r.config || typeof r.config !== 'object')
      throw new Error(`studioLayers[${i}] must be {name, className, config}, got ${JSON.stringify(r)}`);
    if (!STUDIO_LAYER_CLASSES.includes(r.className))
      throw new Error(`studioLayers[${i}] (${r.name}): '${r.className}' is not a studio layer class (${STUDIO_LAYER_CLASSES.join(', ')})`);
  });
  return value as StudioLayerRecord[];
}

/** The bytes one weight of a tf.io manifest takes in the shards. */
export function weightBytes(spec: tf.io.WeightsManifestEntry): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.quantization) return n * (spec.quantization.dtype === 'uint8' ? 1 : 2);
  return n * (spec.dtype === 'bool' ? 1 : 4);
}

/**
 * The artifacts of a portable export with the studio's layers put back: each recorded layer's
 * entry restored, the weights its stand-in had (the fixed convolutions') dropped.
 */
export function restoreStudioLayers(artifacts: tf.io.ModelArtifacts, records: readonly StudioLayerRecord[]): tf.io.ModelArtifacts {
  if (!records.length) return artifacts;
  const topology = structuredClone(artifacts.modelTopology) as Topology;
  const layers = topologyLayers(topology);
  for (const r of records) {
    const entry = layers.find((l) => l.name === r.name);
    if (!entry) throw new Error(`studioLayers names layer '${r.name}', which model.json does not have`);
    if (STUDIO_LAYER_CLASSES.includes(entry.class_name))
      throw new Error(`studioLayers names layer '${r.name}', which model.json already holds as ${entry.class_name}`);
    entry.class_name = r.className;
    entry.config = structuredClone(r.config);
  }
  const dropped = (name: string) => records.some((r) => name.startsWith(`${r.name}/`));
  const specs = artifacts.weightSpecs ?? [];
  const data = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
  const kept: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const bytes = weightBytes(spec);
    if (!dropped(spec.name)) {
      kept.push(spec);
      parts.push(data.subarray(offset, offset + bytes));
    }
    offset += bytes;
  }
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  parts.reduce((o, p) => (weightData.set(p, o), o + p.byteLength), 0);
  return { ...artifacts, modelTopology: topology as unknown as tf.io.ModelArtifacts['modelTopology'], weightSpecs: kept, weightData: weightData.buffer };
}

/**
 * The normalisation a model's input layer applies, in the studio's or the portable form
 * (LayerNormalization over [1, 2] without γ and β, or Rescaling by 1/255), or null.
 */
export function inputNormalisation(model: tf.LayersModel): NormalisationMode | null {
  for (const l of model.layers) {
    if (l instanceof InputNormalization) return l.mode;
    const c = l.getConfig() as { axis?: unknown; center?: boolean; scale?: unknown; epsilon?: number; offset?: number };
    const className = l.getClassName();
    if (className === 'LayerNormalization' && JSON.stringify(c.axis) === '[1,2]' && !c.center && !c.scale && c.epsilon === PORTABLE_PER_IMAGE_EPSILON)
      return 'per-image';
    if (className === 'Rescaling' && c.scale === 1 / 255 && !c.offset) return 'div255';
  }
  return null;
}
