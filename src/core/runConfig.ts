/**
 * A training run's recipe as plain JSON: what the studio's run setup and the CLI's flags
 * describe. tfjs-free, so the page can hold and validate it; src/core/train/recipe.ts turns it
 * into what the training loop needs.
 */
import type { AlphaSpec } from './losses';
import { MIN_INPUT_SIZE } from './models/catalog';
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
}

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

/** Checks a recipe and returns the first problem as a sentence naming the setting, or null. */
export function recipeProblem(c: RunConfig, storedSize: number): string | null {
  if (!Number.isInteger(c.inputSize) || c.inputSize < MIN_INPUT_SIZE) return `Input size ${c.inputSize} px: the models need at least ${MIN_INPUT_SIZE} px`;
  if (c.inputSize > storedSize) return `Input size ${c.inputSize} px is larger than the dataset's stored ${storedSize} px`;
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
  return null;
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
  if (c.inputSize > dataset.resolution && dataset.resolution >= MIN_INPUT_SIZE) {
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
