/**
 * The model registry (timm-like): `createModel(name, options)` builds any registered model,
 * `describeModel(model)` gives its layer table and parameter counts.
 * Importing this module registers every custom layer, so saved models load through tf.io.
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../labels';
import type { NormalisationMode } from './layers/inputNormalization';
import { buildGapNetKaggle, buildGapNetPL, kagglePadding } from './gapnet';
import { MIN_INPUT_SIZE, modelInfo, type ModelInfo } from './catalog';
import { PREPROCESSING, TRANSFER_MODELS, type TransferModelName } from './backbones/blocks';
import { buildTransferModel, DEFAULT_FOUR_CHANNELS, DEFAULT_HEAD, isTransferLayersModel, type FourChannels, type TransferHead } from './transfer';
import { useKerasBatchNormIn } from './layers/kerasBatchNorm';
import './layers/channelSelect';
import './layers/imagenetPreprocess';

export interface ModelOptions {
  /** input side in pixels (square); 32 and up */
  inputSize: number;
  channels?: 4;
  classes?: number;
  /** default: the model's own ('per-image' for gapnet-pl, 'div255' for gapnet-kaggle) */
  normalisation?: NormalisationMode;
  /** seeds weight init and dropout masks; omitted = unseeded */
  seed?: number;
  /** gapnet-kaggle: 'auto' (default) = 'valid' from 149 px, 'same' below */
  padding?: 'auto' | 'valid' | 'same';
  /** transfer models: how RGBY meets a 3-channel backbone (default 'widen') */
  fourChannels?: FourChannels;
  /** transfer models: the seed's head (default) or global average pooling */
  head?: TransferHead;
  /** mobilenetv2: width multiplier (0.35, 0.5, 0.75, 1.0, 1.3, 1.4; default 1.0) */
  alpha?: number;
}

export interface ModelEntry extends ModelInfo {
  build(o: Required<Pick<ModelOptions, 'inputSize' | 'channels' | 'classes'>> & ModelOptions): tf.LayersModel;
  /** anything the user should know about how this instance was built */
  notes(o: ModelOptions): string[];
}

export { MIN_INPUT_SIZE };

const registry = new Map<string, ModelEntry>();

/** Adds a builder for a model of the catalog (catalog.ts holds its name, label and parameter count). */
export function registerModel(name: string, builder: Pick<ModelEntry, 'build' | 'notes'>): void {
  registry.set(name, { ...modelInfo(name), ...builder });
}

export function listModels(): ModelEntry[] {
  return [...registry.values()];
}

registerModel('gapnet-pl', {
  build: (o) => buildGapNetPL({ ...o, normalisation: o.normalisation ?? 'per-image' }),
  notes: () => ['stride-2 convs pad 1 px on every side (TeLL ZEROPAD), stride-1 convs pad "same"', 'output: sigmoid probabilities'],
});

registerModel('gapnet-kaggle', {
  build: (o) => buildGapNetKaggle({ ...o, normalisation: o.normalisation ?? 'div255' }),
  notes: (o) => {
    const p = kagglePadding(o);
    return [
      p === 'valid'
        ? "convs and pools use 'valid' padding, as the kernel"
        : `convs and pools use 'same' padding: 'valid' needs ≥ 149 px, input is ${o.inputSize} px`,
      'output: sigmoid probabilities',
    ];
  },
});

const CHANNEL_NOTES: Record<FourChannels, string> = {
  rgb: 'channels: R, G, B only (yellow dropped)',
  widen: "channels: RGBY; the backbone's first conv takes 4 inputs, its yellow filters start as a copy of the red ones",
  adapter: 'channels: RGBY through a learned 1×1 conv 4 → 3 (hpa_adapter), starting as R, G, B pass-through',
};

for (const name of TRANSFER_MODELS) {
  registerModel(name, {
    build: (o) => buildTransferModel(name, o),
    notes: (o) => transferNotes(name, o),
  });
}

function transferNotes(name: TransferModelName, o: ModelOptions): string[] {
  const head = o.head ?? DEFAULT_HEAD;
  return [
    CHANNEL_NOTES[o.fourChannels ?? DEFAULT_FOUR_CHANNELS],
    PREPROCESSING[name] === 'caffe'
      ? 'preprocessing (inside the model): caffe — RGB → BGR minus the ImageNet means, no scaling'
      : 'preprocessing (inside the model): tf — x / 127.5 − 1',
    head === 'seed'
      ? "head: the seed's — input BatchNorm, conv 32 1×1 ReLU, flatten, dropout .5, dense 1024 ReLU, dropout .5, dense sigmoid"
      : 'head: global average pooling, dropout .5, dense sigmoid',
    ...(name === 'mobilenetv2' && (o.alpha ?? 1) !== 1 ? [`width multiplier alpha ${o.alpha}`] : []),
    'frozen BatchNorm layers run in inference mode (moving statistics used, not updated), as in Keras',
    'output: sigmoid probabilities',
  ];
}

export function createModel(name: string, options: ModelOptions): tf.LayersModel {
  const entry = registry.get(name);
  if (!entry) throw new Error(`unknown model '${name}'; models: ${[...registry.keys()].join(', ')}`);
  const { inputSize } = options;
  if (!Number.isInteger(inputSize) || inputSize < MIN_INPUT_SIZE) throw new Error(`input size must be an integer ≥ ${MIN_INPUT_SIZE}, got ${inputSize}`);
  if (inputSize < entry.inputSizes.min) throw new Error(`${name} needs inputs of at least ${entry.inputSizes.min} px, got ${inputSize}`);
  const channels = options.channels ?? 4;
  if (channels !== 4) throw new Error(`models take 4 channels (RGBY), got ${channels}`);
  return entry.build({
    ...options,
    inputSize,
    channels,
    classes: options.classes ?? NUM_CLASSES,
  });
}

export function modelNotes(name: string, options: ModelOptions): string[] {
  return registry.get(name)?.notes(options) ?? [];
}

export interface LayerRow {
  name: string;
  type: string;
  outputShape: (number | null)[] | (number | null)[][];
  params: number;
  trainableParams: number;
}

export interface ModelDescription {
  name: string;
  layers: LayerRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

function countWeights(ws: tf.LayerVariable[]): number {
  return ws.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

export function describeModel(model: tf.LayersModel): ModelDescription {
  const layers = model.layers.map((l) => ({
    name: l.name,
    type: l.getClassName(),
    outputShape: l.outputShape as LayerRow['outputShape'],
    params: l.countParams(),
    trainableParams: countWeights(l.trainableWeights),
  }));
  const totalParams = model.countParams();
  const trainableParams = countWeights(model.trainableWeights);
  return { name: model.name, layers, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams };
}

/** The layer table as fixed-width text (for the CLI and logs). */
export function formatModelDescription(d: ModelDescription): string {
  const shape = (s: LayerRow['outputShape']) => JSON.stringify(s).replace(/null/g, 'b');
  const rows = d.layers.map((l) => [l.name, l.type, shape(l.outputShape), l.params.toLocaleString('en-US')]);
  const head = ['Layer', 'Type', 'Output shape', 'Params'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  return [
    `Model: ${d.name}`,
    line(head),
    w.map((n) => '-'.repeat(n)).join('  '),
    ...rows.map(line),
    '',
    `Total params: ${d.totalParams.toLocaleString('en-US')}`,
    `Trainable params: ${d.trainableParams.toLocaleString('en-US')}`,
    `Non-trainable params: ${d.nonTrainableParams.toLocaleString('en-US')}`,
  ].join('\n');
}

/**
 * What a model loaded by plain tf.loadLayersModel needs to train as it was built: transfer models'
 * BatchNorm layers get Keras's frozen-inference semantics again (layers/kerasBatchNorm.ts).
 */
export function prepareLoadedModel(model: tf.LayersModel): tf.LayersModel {
  if (isTransferLayersModel(model)) useKerasBatchNormIn(model);
  return model;
}

/** Loads a model saved with tf.io (custom layers are registered by importing this module). */
export async function loadModel(handler: tf.io.IOHandler): Promise<tf.LayersModel> {
  return prepareLoadedModel(await tf.loadLayersModel(handler));
}
