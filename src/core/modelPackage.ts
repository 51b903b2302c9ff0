/**
 * The exported model: a zip holding the TF.js layers format exactly as tf.io and the converter
 * write it (model.json + weight shards `group1-shard{i}of{n}.bin`, 4 MiB each, listed in order in
 * model.json's weightsManifest) and `studio.json`, the studio's own metadata (model name, input
 * size, channels, normalisation, class names, thresholds, crop/resize mode, stored size, tfjs
 * version, creation date) and `studioLayers`, what each stand-in layer replaced.
 *
 * model.json names only stock TF.js layer classes (portableModel.ts), so the unzipped model.json +
 * shards load with plain `tf.loadLayersModel`. Import reads such a zip, an older one whose
 * model.json names the studio's own classes, or model.json + shards given as a map of file name →
 * bytes, back to a LayersModel + metadata; with studio.json's `studioLayers` the studio's layers are
 * put back. Problems are thrown as ModelPackageError with a one-line reason (truncated zip, missing
 * shard, shard sizes, a model that does not fit the metadata or the dataset).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResizeMode } from './augment';
import { CLASS_NAMES } from './labels';
import type { NormalisationMode } from './models/layers/inputNormalization';
import { checkStudioLayers, inputNormalisation, portableModel, restoreStudioLayers, weightBytes, type StudioLayerRecord } from './portableModel';
import { readZipFiles, writeZipFiles } from './zipFiles';
// registers the custom layers with tf.serialization (older exports name them); prepareLoadedModel restores transfer models' BatchNorm semantics
import { prepareLoadedModel } from './models/registry';

export const STUDIO_FORMAT = 'hpa-studio-model';
export const STUDIO_FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const STUDIO_JSON = 'studio.json';
/** The converter's default shard size. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export interface StudioMeta {
  format: typeof STUDIO_FORMAT;
  formatVersion: number;
  /** registry name, e.g. gapnet-pl */
  modelName: string;
  /** model input side s (square) */
  inputSize: number;
  channels: number;
  channelOrder: string[];
  /** null when the model has no input normalisation layer */
  normalisation: NormalisationMode | null;
  classNames: string[];
  /** one per class (p > t predicts the class) */
  thresholds: number[];
  /** how training turned stored images into model input: resize the whole image or crop s×s windows */
  resizeMode: ResizeMode;
  /** side the training images were stored at before the crop/resize (≥ inputSize for 'crop') */
  storedSize: number;
  tfjsVersion: string;
  /** ISO date */
  created: string;
  /** anything else the trainer wants kept (run id, fold, validation score) */
  extra?: Record<string, unknown>;
}

export class ModelPackageError extends Error {}

/** The normalisation mode of the model's input normalisation layer (the studio's or its portable stand-in), or null if it has none. */
export function modelNormalisation(model: tf.LayersModel): NormalisationMode | null {
  return inputNormalisation(model);
}

function inputShape(model: tf.LayersModel): (number | null)[] {
  const s = model.inputs[0].shape;
  return [...s];
}

function outputUnits(model: tf.LayersModel): number | null {
  const s = model.outputs[0].shape;
  return s[s.length - 1];
}

/**
 * Metadata for a model from what the model itself says (input size, channels, classes,
 * normalisation) plus what only the trainer knows. Thresholds default to 0.5 for every class.
 */
export function studioMeta(
  model: tf.LayersModel,
  o: {
    modelName: string;
    resizeMode?: ResizeMode;
    storedSize?: number;
    thresholds?: ArrayLike<number>;
    classNames?: readonly string[];
    extra?: Record<string, unknown>;
    created?: Date;
  },
): StudioMeta {
  const shape = inputShape(model);
  const inputSize = shape[1];
  const channels = shape[3];
  const classes = outputUnits(model);
  if (shape.length !== 4 || inputSize === null || channels === null || shape[2] !== inputSize)
    throw new ModelPackageError(`the model's input is [${shape.map((d) => d ?? 'b')}], expected [b, s, s, channels]`);
  if (classes === null) throw new ModelPackageError('the model has no fixed number of outputs');
  const classNames = o.classNames
    ? [...o.classNames]
    : classes === CLASS_NAMES.length
      ? [...CLASS_NAMES]
      : Array.from({ length: classes }, (_, c) => `class ${c}`);
  const thresholds = o.thresholds ? Array.from(o.thresholds) : new Array<number>(classes).fill(0.5);
  return {
    format: STUDIO_FORMAT,
    formatVersion: STUDIO_FORMAT_VERSION,
    modelName: o.modelName,
    inputSize,
    channels,
    channelOrder: channels === 4 ? ['red', 'green', 'blue', 'yellow'] : Array.from({ length: channels }, (_, i) => `channel ${i}`),
    normalisation: modelNormalisation(model),
    classNames,
    thresholds,
    resizeMode: o.resizeMode ?? 'resize',
    storedSize: o.storedSize ?? inputSize,
    tfjsVersion: tf.version.tfjs,
    created: (o.created ?? new Date()).toISOString(),
    ...(o.extra ? { extra: o.extra } : {}),
  };
}

/** Throws a ModelPackageError naming the first disagreement between the metadata and the model. */
export function checkMetaMatchesModel(meta: StudioMeta, model: tf.LayersModel): void {
  const shape = inputShape(model);
  const classes = outputUnits(model);
  if (shape[1] !== meta.inputSize || shape[2] !== meta.inputSize)
    throw new ModelPackageError(`studio.json says input ${meta.inputSize} px but the model's input is [${shape.map((d) => d ?? 'b')}]`);
  if (shape[3] !== meta.channels)
    throw new ModelPackageError(`studio.json says ${meta.channels} channels but the model's input is [${shape.map((d) => d ?? 'b')}]`);
  if (classes !== meta.classNames.length)
    throw new ModelPackageError(`studio.json names ${meta.classNames.length} classes but the model has ${classes} outputs`);
  if (meta.thresholds.length !== meta.classNames.length)
    throw new ModelPackageError(`studio.json has ${meta.thresholds.length} thresholds for ${meta.classNames.length} classes`);
}

/** The metadata of a studio.json, and its `studioLayers` (none in exports before the portable format). */
function checkMeta(value: unknown): { meta: StudioMeta; studioLayers: StudioLayerRecord[] } {
  const m = value as (Partial<StudioMeta> & { studioLayers?: unknown }) | null;
  const bad = (what: string) => new ModelPackageError(`${STUDIO_JSON}: ${what}`);
  if (!m || typeof m !== 'object') throw bad('not a JSON object');
  if (m.format !== STUDIO_FORMAT) throw bad(`format is '${String(m.format)}', expected '${STUDIO_FORMAT}'`);
  if (typeof m.formatVersion !== 'number' || m.formatVersion > STUDIO_FORMAT_VERSION)
    throw bad(`format version ${String(m.formatVersion)} is newer than this studio reads (${STUDIO_FORMAT_VERSION})`);
  for (const k of ['inputSize', 'channels', 'storedSize'] as const)
    if (!Number.isInteger(m[k]) || (m[k] as number) < 1) throw bad(`${k} must be a whole number ≥ 1, got ${JSON.stringify(m[k])}`);
  if (typeof m.modelName !== 'string') throw bad('modelName is missing');
  if (!Array.isArray(m.classNames) || !m.classNames.length) throw bad('classNames must be a non-empty list');
  if (!Array.isArray(m.thresholds) || !m.thresholds.every((t) => typeof t === 'number' && t >= 0 && t <= 1)) throw bad('thresholds must be numbers in [0, 1]');
  if (m.resizeMode !== 'resize' && m.resizeMode !== 'crop') throw bad(`resizeMode is '${String(m.resizeMode)}', expected resize or crop`);
  if (m.resizeMode === 'crop' && m.storedSize! < m.inputSize!) throw bad(`crop mode needs storedSize ≥ inputSize, got ${m.storedSize} < ${m.inputSize}`);
  const { studioLayers, ...meta } = m;
  let layers: StudioLayerRecord[] = [];
  try {
    if (studioLayers !== undefined) layers = checkStudioLayers(studioLayers);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return { meta: meta as StudioMeta, studioLayers: layers };
}

/** model.json + shard files (name → bytes) as tf.io writes them. */
export async function modelFiles(model: tf.LayersModel, shardBytes = DEFAULT_SHARD_BYTES): Promise<Map<string, Uint8Array>> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts!;
  const weights = a.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData)) : new Uint8Array(0);
  const n = Math.max(1, Math.ceil(weights.byteLength / shardBytes));
  const files = new Map<string, Uint8Array>();
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `group1-shard${i + 1}of${n}.bin`;
    paths.push(name);
    files.set(name, weights.slice(i * shardBytes, Math.min(weights.byteLength, (i + 1) * shardBytes)));
  }
  // the fields and order of tf.io's getModelJSONForModelArtifacts
  const json: Record<string, unknown> = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths, weights: a.weightSpecs ?? [] }],
  };
  if (a.userDefinedMetadata != null) json.userDefinedMetadata = a.userDefinedMetadata;
  if (a.trainingConfig != null) json.trainingConfig = a.trainingConfig;
  files.set(MODEL_JSON, new TextEncoder().encode(JSON.stringify(json)));
  return new Map([[MODEL_JSON, files.get(MODEL_JSON)!], ...[...files].filter(([k]) => k !== MODEL_JSON)]);
}

/** The exported model zip: studio.json, model.json (stock TF.js layers only) and the weight shards. */
export async function writeModelZip(model: tf.LayersModel, meta: StudioMeta, opts: { shardBytes?: number } = {}): Promise<Uint8Array> {
  checkMetaMatchesModel(meta, model);
  const portable = await portableModel(model);
  let files: Map<string, Uint8Array>;
  try {
    files = await modelFiles(portable.model, opts.shardBytes);
  } finally {
    if (portable.model !== model) portable.model.dispose();
  }
  const studio = new TextEncoder().encode(
    JSON.stringify({ ...meta, ...(portable.studioLayers.length ? { studioLayers: portable.studioLayers } : {}) }, null, 2) + '\n',
  );
  return writeZipFiles([[STUDIO_JSON, studio], ...files], {
    lastModDate: new Date(meta.created),
    level: (name) => (name === STUDIO_JSON ? undefined : name.endsWith('.bin') ? 0 : 6),
  });
}

/** The files of a model zip (name → bytes); a single top-level folder is stripped. */
export async function readModelZip(bytes: Uint8Array, file = 'model zip'): Promise<Map<string, Uint8Array>> {
  return readZipFiles(bytes, file, { names: 'strip-common-folder', fail: (m) => new ModelPackageError(m) });
}

/**
 * A tf.io load handler over model.json + shard files given by name: what a user does with the
 * standard API (tf.loadLayersModel(modelFilesHandler(files))). Shard paths are matched by their base name.
 */
export function modelFilesHandler(files: ReadonlyMap<string, Uint8Array>, file = 'model'): tf.io.IOHandler {
  return {
    load: async () => {
      const jsonBytes = files.get(MODEL_JSON);
      if (!jsonBytes) throw new ModelPackageError(`${file} has no ${MODEL_JSON} (files: ${[...files.keys()].slice(0, 5).join(', ') || 'none'})`);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(new TextDecoder().decode(jsonBytes));
      } catch (e) {
        throw new ModelPackageError(`${file}: ${MODEL_JSON} is not valid JSON (${(e as Error).message})`);
      }
      if (!json.modelTopology) throw new ModelPackageError(`${file}: ${MODEL_JSON} has no modelTopology`);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const base = p.replace(/^.*\//, '');
            const shard = files.get(base) ?? files.get(p);
            if (!shard) throw new ModelPackageError(`${file}: weight shard '${base}' listed in ${MODEL_JSON} is missing`);
            buffers.push(shard);
          }
        }
        const specs = manifest.flatMap((g) => g.weights);
        const expected = specs.reduce((s, w) => s + weightBytes(w), 0);
        const total = buffers.reduce((s, b) => s + b.byteLength, 0);
        if (total !== expected) throw new ModelPackageError(`${file}: the weight shards hold ${total} bytes but ${MODEL_JSON} describes ${expected}`);
        const all = new Uint8Array(total);
        let o = 0;
        for (const b of buffers) {
          all.set(b, o);
          o += b.byteLength;
        }
        return [specs, all.buffer];
      });
    },
  };
}

export interface LoadedModel {
  model: tf.LayersModel;
  /** the topology the model was built from (model.json's, with the studio's layers put back) */
  modelTopology: unknown;
  meta: StudioMeta;
  /** true when studio.json was absent and the metadata was read off the model (thresholds 0.5, mode 'resize') */
  metaInferred: boolean;
}

/** A LayersModel + metadata from model.json + shards (+ studio.json if present) given by name. */
export async function loadModelFiles(files: ReadonlyMap<string, Uint8Array>, file = 'model'): Promise<LoadedModel> {
  let meta: StudioMeta | null = null;
  let studioLayers: StudioLayerRecord[] = [];
  const metaBytes = files.get(STUDIO_JSON);
  if (metaBytes) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(metaBytes));
    } catch (e) {
      throw new ModelPackageError(`${file}: ${STUDIO_JSON} is not valid JSON (${(e as Error).message})`);
    }
    ({ meta, studioLayers } = checkMeta(parsed));
  }
  const fromFiles = modelFilesHandler(files, file);
  let modelTopology: unknown;
  const handler: tf.io.IOHandler = {
    load: async () => {
      const artifacts = await fromFiles.load!();
      let restored: tf.io.ModelArtifacts;
      try {
        restored = restoreStudioLayers(artifacts, studioLayers);
      } catch (e) {
        throw new ModelPackageError(`${file}: ${STUDIO_JSON}: ${(e as Error).message}`);
      }
      modelTopology = restored.modelTopology;
      return restored;
    },
  };
  let model: tf.LayersModel;
  try {
    model = prepareLoadedModel(await tf.loadLayersModel(handler));
  } catch (e) {
    if (e instanceof ModelPackageError) throw e;
    throw new ModelPackageError(`${file}: tfjs cannot build the model (${(e as Error).message})`);
  }
  try {
    if (!meta) return { model, modelTopology, meta: studioMeta(model, { modelName: model.name }), metaInferred: true };
    checkMetaMatchesModel(meta, model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, modelTopology, meta, metaInferred: false };
}

/** A LayersModel + metadata from an exported model zip. */
export async function loadModelZip(bytes: Uint8Array, file = 'model zip'): Promise<LoadedModel> {
  const files = await readModelZip(bytes, file);
  if (!files.has(STUDIO_JSON)) throw new ModelPackageError(`${file} has no ${STUDIO_JSON}: not a model exported by HPA Studio`);
  return loadModelFiles(files, file);
}

export interface DatasetShape {
  /** side of the stored images */
  imageSize: number;
  channels: number;
  classes: number;
}

/** Throws a ModelPackageError listing every way the model cannot run on (or score) the dataset. */
export function checkModelFitsDataset(meta: StudioMeta, d: DatasetShape): void {
  const problems: string[] = [];
  if (meta.channels !== d.channels) problems.push(`the model takes ${meta.channels} channels, the dataset has ${d.channels}`);
  if (meta.classNames.length !== d.classes) problems.push(`the model predicts ${meta.classNames.length} classes, the dataset has ${d.classes}`);
  if (meta.resizeMode === 'crop' && d.imageSize < meta.inputSize)
    problems.push(`the model was trained on ${meta.inputSize} px crops, the dataset's images are ${d.imageSize} px`);
  if (problems.length)
    throw new ModelPackageError(`model ${meta.modelName} (${meta.inputSize} px, ${meta.resizeMode}) does not fit the dataset: ${problems.join('; ')}`);
}
