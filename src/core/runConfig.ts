/**
 * A training run's recipe as plain JSON: what the studio's run setup and the CLI's flags
 * describe. tfjs-free, so the page can hold and validate it; src/core/train/recipe.ts turns it
 * into what the training loop needs.
 */
import type { AlphaSpec } from './losses';
import { MIN_INPUT_SIZE, MODELS } from './models/catalog';
import { isTransferModel } from './models/backbones/blocks';
import type { Monitor } from './train/logs';

export type LossChoice = 'bce' | 'focal' | 'f1' | 'bce-then-f1';
export type SamplerChoice = 'none' | 'weights' | 'rare';
export type SplitChoice = { kind: 'holdout'; fraction: number } | { kind: 'kfold'; folds: number; fold: number };

export interface RunConfig {
  model: string;
  /** model input side */
  inputSize: number;
  /** how a stored image becomes the input: random crops (centre for validation) or a resize */
  mode: 'resize' | 'crop';
  loss: LossChoice;
  /** focal γ */
  gamma: number;
  alpha: AlphaSpec;
  /** epochs (of BCE, for 'bce-then-f1') */
  epochs: number;
  /** 'bce-then-f1': epochs of soft F1 on the last 7 layers at lr / 10 */
  f1Epochs: number;
  batchSize: number;
  lr: number;
  /** ReduceLROnPlateau; null = constant learning rate */
  plateau: { factor: number; patience: number } | null;
  /** early stopping patience in epochs; 0 = off */
  earlyStopPatience: number;
  monitor: Monitor;
  augment: { flips: boolean; rotate90: boolean };
  sampler: SamplerChoice;
  split: SplitChoice;
  seed: number;
  /**
   * A stored dataset whose pixels fit in this many MB is read into memory once; a larger one is
   * streamed from storage, a few batches ahead (0: always streamed). Absent in runs stored before the
   * setting existed: DEFAULT_IMAGE_MEMORY_MB.
   */
  imageMemoryMB?: number;
  /**
   * Transfer models only (absent for GAPNet): four-channel handling, head, weights, and the
   * schedule of docs/domain.md §5 — `warmupEpochs` at `warmupLr` with the backbone frozen, then
   * `epochs` at `lr` with all of it or its last blocks trainable, in one run.
   */
  transfer?: TransferSettings;
}

export interface TransferSettings {
  /** how the four RGBY channels meet a three-channel backbone: drop yellow, widen the first conv, or a learned 1×1 adapter */
  channels: 'rgb' | 'widen' | 'adapter';
  /** the seed's head (§5) or global average pooling */
  head: 'seed' | 'gap';
  /** phase 1, backbone frozen (BatchNorm in inference mode); 0 = no warm-up */
  warmupEpochs: number;
  warmupLr: number;
  /** phase 2 (`epochs` at `lr`): every layer, or the head and the backbone's last N blocks */
  unfreeze: 'all' | { lastBlocks: number };
  /** id of stored weights; null = random initialisation */
  weights: string | null;
}

/** The seed's schedule (§5): two epochs of the head at Adam 1e-3, then everything at 1e-4 (RunConfig.lr). */
export const DEFAULT_TRANSFER: TransferSettings = { channels: 'widen', head: 'seed', warmupEpochs: 2, warmupLr: 1e-3, unfreeze: 'all', weights: null };

/** The phases of a transfer run, as the curves, the history and the run report name them. */
export const WARMUP_PHASE_NAME = 'warm-up (backbone frozen)';
export function fineTunePhaseName(unfreeze: TransferSettings['unfreeze']): string {
  return unfreeze === 'all' ? 'fine-tune (all layers)' : `fine-tune (last ${unfreeze.lastBlocks} blocks)`;
}

/** Fine-tuning's learning rate in the seed's schedule. */
export const TRANSFER_FINE_TUNE_LR = 1e-4;

/** The memory a run's images may take when none is set (RunConfig.imageMemoryMB). */
export const DEFAULT_IMAGE_MEMORY_MB = 512;

export const DEFAULT_RUN: RunConfig = {
  model: 'gapnet-pl',
  inputSize: 128,
  mode: 'resize',
  loss: 'focal',
  gamma: 2,
  alpha: { mode: 'none' },
  epochs: 10,
  f1Epochs: 3,
  batchSize: 16,
  lr: 1e-3,
  plateau: { factor: 0.5, patience: 3 },
  earlyStopPatience: 0,
  monitor: 'val_loss',
  augment: { flips: true, rotate90: true },
  sampler: 'none',
  split: { kind: 'holdout', fraction: 0.2 },
  seed: 1,
  imageMemoryMB: DEFAULT_IMAGE_MEMORY_MB,
};

// whether a model is a transfer model (a pretrained backbone with the studio's head): one list, in blocks.ts
export { isTransferModel };

function modelFamily(model: string): 'gapnet' | 'transfer' | null {
  return MODELS.find((x) => x.name === model)?.family ?? null;
}

/** The input sides a model takes (the catalog's range; GAPNet: MIN_INPUT_SIZE and up). */
export function inputSizeRange(model: string): { min: number; default: number; max: number } {
  return MODELS.find((x) => x.name === model)?.inputSizes ?? { min: MIN_INPUT_SIZE, default: 128, max: Infinity };
}

/** The transfer settings' first problem as a sentence naming the setting, or null. */
export function transferProblem(c: RunConfig): string | null {
  const t = c.transfer;
  if (!isTransferModel(c.model)) return t ? `Transfer settings are for transfer models; ${c.model} is a GAPNet` : null;
  if (!t) return null; // DEFAULT_TRANSFER applies
  if (!['rgb', 'widen', 'adapter'].includes(t.channels)) return `Four channels must be 'rgb', 'widen' or 'adapter' (got '${t.channels}')`;
  if (!['seed', 'gap'].includes(t.head)) return `Head must be 'seed' or 'gap' (got '${t.head}')`;
  if (!Number.isInteger(t.warmupEpochs) || t.warmupEpochs < 0) return `Warm-up epochs must be a whole number ≥ 0 (got ${t.warmupEpochs})`;
  if (t.warmupEpochs > 0 && !(t.warmupLr > 0 && t.warmupLr < 1)) return `Warm-up learning rate must be in (0, 1) (got ${t.warmupLr})`;
  if (t.unfreeze !== 'all') {
    const n = typeof t.unfreeze === 'object' && t.unfreeze !== null ? t.unfreeze.lastBlocks : NaN;
    if (!Number.isInteger(n) || n < 1) return `Unfreeze: the last N blocks needs a whole number N ≥ 1 (got ${n}); 'all' unfreezes the whole backbone`;
  }
  if (c.loss === 'bce-then-f1')
    return `Loss 'BCE then soft F1' is GAPNet's two-phase schedule; ${c.model} warms up and fine-tunes instead: choose BCE, focal or soft F1`;
  if (t.weights !== null && typeof t.weights !== 'string') return `Weights must be stored weights or none (random initialisation)`;
  return null;
}

/** Checks a recipe and returns the first problem as a sentence naming the setting, or null. */
export function recipeProblem(c: RunConfig, storedSize: number): string | null {
  if (!modelFamily(c.model)) return `Model '${c.model}' is not known; models: ${MODELS.map((m) => m.name).join(', ')}`;
  const sizes = inputSizeRange(c.model);
  if (!Number.isInteger(c.inputSize) || c.inputSize < sizes.min) {
    return sizes.min === MIN_INPUT_SIZE && !isTransferModel(c.model)
      ? `Input size ${c.inputSize} px: the models need at least ${MIN_INPUT_SIZE} px`
      : `Input size ${c.inputSize} px: ${c.model} needs at least ${sizes.min} px`;
  }
  if (c.inputSize > sizes.max) return `Input size ${c.inputSize} px: ${c.model} takes at most ${sizes.max} px`;
  if (c.inputSize > storedSize)
    return sizes.min > storedSize
      ? `${c.model} needs at least ${sizes.min} px and the dataset is stored at ${storedSize} px: import it again at a larger stored resolution (Datasets → Import options), or choose another model`
      : `Input size ${c.inputSize} px is larger than the dataset's stored ${storedSize} px`;
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) return `Batch size must be a whole number ≥ 1 (got ${c.batchSize})`;
  if (!Number.isInteger(c.epochs) || c.epochs < 1) return `Epochs must be a whole number ≥ 1 (got ${c.epochs})`;
  if (!(c.lr > 0 && c.lr < 1)) return `Learning rate must be in (0, 1) (got ${c.lr})`;
  if (!(c.gamma >= 0)) return `Focal γ must be ≥ 0 (got ${c.gamma})`;
  if (c.imageMemoryMB !== undefined && !(c.imageMemoryMB >= 0)) return `Images in memory must be ≥ 0 MB (got ${c.imageMemoryMB})`;
  if (c.alpha.mode === 'scalar' && !(c.alpha.value > 0 && c.alpha.value < 1)) return `Focal α must be in (0, 1) (got ${c.alpha.value})`;
  if (c.split.kind === 'holdout' && !(c.split.fraction > 0 && c.split.fraction < 1)) return `Validation fraction must be in (0, 1) (got ${c.split.fraction})`;
  if (c.split.kind === 'kfold' && !(Number.isInteger(c.split.folds) && c.split.folds >= 2 && c.split.fold >= 0 && c.split.fold < c.split.folds)) {
    return `K-fold needs K ≥ 2 and a fold in 0..K−1 (got K = ${c.split.folds}, fold ${c.split.fold})`;
  }
  return transferProblem(c);
}

/**
 * The recipe made valid for a dataset, keeping everything the user chose that already fits: an
 * input size above the stored size comes down to it, and a batch larger than the training part
 * of the split comes down to that. Returns the same object when nothing had to change, and the
 * changes in words for the form to show.
 */
export function fitRecipe(c: RunConfig, dataset: { resolution: number; train: number }): { config: RunConfig; changes: string[] } {
  const changes: string[] = [];
  let config = c;
  if (c.inputSize > dataset.resolution && dataset.resolution >= inputSizeRange(c.model).min) {
    config = { ...config, inputSize: dataset.resolution };
    changes.push(`input size ${c.inputSize} → ${dataset.resolution} px (the dataset is stored at ${dataset.resolution} px)`);
  }
  const valShare = c.split.kind === 'holdout' ? c.split.fraction : 1 / c.split.folds;
  const trainRows = Math.max(1, Math.floor(dataset.train * (1 - valShare)));
  if (c.batchSize > trainRows) {
    config = { ...config, batchSize: trainRows };
    changes.push(`batch ${c.batchSize} → ${trainRows} (the training split has ${trainRows} images)`);
  }
  return { config, changes };
}

/** Epochs of the quick demo: the teaching demo's training fits 3 minutes on 2 CPU cores (docs/teaching-demo.md). */
export const QUICK_DEMO_EPOCHS = 12;

/**
 * Named recipes: the seed's full recipe, and the quick demo. The quick demo is made for the teaching
 * demo dataset (docs/teaching-demo.md: 1,200 + 300 samples at 64 px): GAPNet Kaggle, whose
 * BatchNorm learns within a few hundred steps where GAPNet-PL's SELU network often has not started
 * (measured there), at 64 px for 12 epochs, about 2 minutes on 2 CPU cores with WebAssembly.
 */
export function preset(name: 'seed' | 'quick', storedSize: number): RunConfig {
  if (name === 'seed') {
    return {
      ...DEFAULT_RUN,
      inputSize: Math.max(MIN_INPUT_SIZE, Math.min(256, storedSize)),
      loss: 'focal',
      gamma: 2,
      alpha: { mode: 'inverse-frequency' },
      sampler: 'rare',
      lr: 1e-3,
      plateau: { factor: 0.5, patience: 3 },
      augment: { flips: true, rotate90: true },
      epochs: 20,
      batchSize: 16,
    };
  }
  return {
    ...DEFAULT_RUN,
    model: 'gapnet-kaggle',
    inputSize: Math.max(MIN_INPUT_SIZE, Math.min(64, storedSize)),
    loss: 'focal',
    gamma: 2,
    alpha: { mode: 'none' },
    sampler: 'none',
    epochs: QUICK_DEMO_EPOCHS,
    batchSize: 16,
    lr: 1e-3,
    plateau: null,
  };
}

/**
 * A transfer model's recipe, the seed's schedule (docs/domain.md §5): two warm-up epochs of the head
 * with the backbone frozen at Adam 1e-3, then every layer at 1e-4 with ReduceLROnPlateau (factor 0.1,
 * patience 3) and early stopping (patience 6) on the validation loss; BCE as the seed. The input is
 * the model's default side (224 px; InceptionV3 299), brought down to the stored size if smaller.
 */
export function transferDefaults(model: string, storedSize: number): RunConfig {
  const sizes = inputSizeRange(model);
  return {
    ...DEFAULT_RUN,
    model,
    inputSize: Math.max(sizes.min, Math.min(sizes.default, storedSize)),
    loss: 'bce',
    alpha: { mode: 'none' },
    epochs: 10,
    batchSize: 16,
    lr: TRANSFER_FINE_TUNE_LR,
    plateau: { factor: 0.1, patience: 3 },
    earlyStopPatience: 6,
    monitor: 'val_loss',
    transfer: { ...DEFAULT_TRANSFER },
  };
}
