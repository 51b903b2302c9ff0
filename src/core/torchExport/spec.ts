/**
 * What the generated PyTorch files must know about a run, from its RunConfig: the network (model,
 * input size, GAPNet's normalisation and padding, a transfer model's four-channel choice, head,
 * ImageNet preprocessing and BatchNorm constants) and the training recipe (loss with γ and α,
 * sampler, augmentation, schedule, split). The templates (modelPy.ts, trainPy.ts, predictPy.ts)
 * write these as Python constants at the top of each script, one per line, so a reader (and the
 * unit test) sees every setting the scripts run with.
 */
import { kagglePadding } from '../models/gapnet';
import { PREPROCESSING, firstConvLayer, isTransferModel, type ImagenetPreprocessing } from '../models/backbones/blocks';
import { DEFAULT_TRANSFER, fineTunePhaseName, WARMUP_PHASE_NAME, type RunConfig, type TransferSettings } from '../runConfig';
import type { NormalisationMode } from '../models/layers/inputNormalization';

export const TORCH_MODELS = ['gapnet-pl', 'gapnet-kaggle', 'vgg16', 'resnet50', 'inceptionv3', 'mobilenetv2'] as const;

export interface NetworkSpec {
  model: string;
  inputSize: number;
  channels: 4;
  classes: number;
  /** GAPNet: the input normalisation layer's mode; transfer models: null (their preprocessing is `preprocessing`) */
  normalisation: NormalisationMode | null;
  /** gapnet-kaggle: its convolutions' and pools' padding; otherwise null */
  kagglePadding: 'valid' | 'same' | null;
  /** transfer models: how four channels meet the backbone, the head, the ImageNet preprocessing and the widened first conv */
  fourChannels: TransferSettings['channels'] | null;
  head: TransferSettings['head'] | null;
  preprocessing: ImagenetPreprocessing | null;
  firstConv: string | null;
  /** how a stored image becomes the input, and the side images are stored at before it (the studio's dataset resolution) */
  resizeMode: 'resize' | 'crop';
  storedSize: number;
}

export interface TrainingPhaseSpec {
  name: string;
  epochs: number;
  lr: number;
  /** 'all'; 'head': the dense head only (GAPNet's soft-F1 phase: the last 7 layers are gap3, concat and the head); 'backbone-frozen'; or the head and the backbone's last N blocks */
  trainable: 'all' | 'head' | 'backbone-frozen' | { lastBlocks: number };
  loss: 'bce' | 'focal' | 'f1';
}

export interface RecipeSpec {
  loss: RunConfig['loss'];
  gamma: number;
  alpha: RunConfig['alpha'];
  sampler: RunConfig['sampler'];
  augment: RunConfig['augment'];
  batchSize: number;
  lr: number;
  plateau: RunConfig['plateau'];
  earlyStopPatience: number;
  monitor: RunConfig['monitor'];
  split: RunConfig['split'];
  seed: number;
  phases: TrainingPhaseSpec[];
}

export class TorchExportError extends Error {}

export function networkSpec(config: RunConfig, storedSize: number, classes = 28): NetworkSpec {
  if (!(TORCH_MODELS as readonly string[]).includes(config.model))
    throw new TorchExportError(`Model '${config.model}' has no PyTorch export (models: ${TORCH_MODELS.join(', ')})`);
  if (!Number.isInteger(storedSize) || storedSize < config.inputSize)
    throw new TorchExportError(`stored size ${storedSize} px: the run's input is ${config.inputSize} px, so images must be stored at least that large`);
  const transfer = isTransferModel(config.model);
  const t = transfer ? (config.transfer ?? DEFAULT_TRANSFER) : null;
  return {
    model: config.model,
    inputSize: config.inputSize,
    channels: 4,
    classes,
    normalisation: config.model === 'gapnet-pl' ? 'per-image' : config.model === 'gapnet-kaggle' ? 'div255' : null,
    kagglePadding: config.model === 'gapnet-kaggle' ? kagglePadding({ inputSize: config.inputSize }) : null,
    fourChannels: t ? t.channels : null,
    head: t ? t.head : null,
    preprocessing: transfer ? PREPROCESSING[config.model as keyof typeof PREPROCESSING] : null,
    firstConv: transfer ? firstConvLayer(config.model) : null,
    resizeMode: config.mode,
    storedSize,
  };
}

/** The run's phases as recipe.ts builds them (GAPNet: one, or BCE then soft F1; transfer: warm-up then fine-tune). */
export function recipeSpec(config: RunConfig): RecipeSpec {
  const loss = config.loss === 'bce-then-f1' ? 'bce' : config.loss;
  let phases: TrainingPhaseSpec[];
  if (isTransferModel(config.model)) {
    const t = config.transfer ?? DEFAULT_TRANSFER;
    phases = [];
    if (t.warmupEpochs > 0) phases.push({ name: WARMUP_PHASE_NAME, epochs: t.warmupEpochs, lr: t.warmupLr, trainable: 'backbone-frozen', loss });
    phases.push({
      name: fineTunePhaseName(t.unfreeze),
      epochs: config.epochs,
      lr: config.lr,
      trainable: t.unfreeze === 'all' ? 'all' : { lastBlocks: t.unfreeze.lastBlocks },
      loss,
    });
  } else if (config.loss === 'bce-then-f1') {
    phases = [
      { name: 'bce', epochs: config.epochs, lr: config.lr, trainable: 'all', loss: 'bce' },
      { name: 'soft-f1 (last 7 layers)', epochs: config.f1Epochs, lr: config.lr / 10, trainable: 'head', loss: 'f1' },
    ];
  } else phases = [{ name: config.loss, epochs: config.epochs, lr: config.lr, trainable: 'all', loss }];
  return {
    loss: config.loss,
    gamma: config.gamma,
    alpha: config.alpha,
    sampler: config.sampler,
    augment: config.augment,
    batchSize: config.batchSize,
    lr: config.lr,
    plateau: config.plateau,
    earlyStopPatience: config.earlyStopPatience,
    monitor: config.monitor,
    split: config.split,
    seed: config.seed,
    phases,
  };
}

/** A JSON value as a Python literal (True/False/None, single-quoted strings, dicts and lists). */
export function py(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TorchExportError(`${value} has no Python literal here`);
    return String(value);
  }
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${py(k)}: ${py(v)}`)
      .join(', ')}}`;
  throw new TorchExportError(`${typeof value} has no Python literal`);
}

/** `NAME = literal  # comment` lines, one per setting. */
export function pyConstants(rows: readonly [name: string, value: unknown, comment?: string][]): string {
  return rows.map(([name, value, comment]) => `${name} = ${py(value)}${comment ? `  # ${comment}` : ''}`).join('\n');
}
