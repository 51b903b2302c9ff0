/**
 * A run's recipe as plain JSON (what the studio's run setup and the CLI's flags describe), and
 * `prepareRun`, which turns it plus the training rows' label sets into what the loop needs: the
 * split, the sampled training order, the loss phases and the schedule callbacks. The browser
 * worker and the Node CLI both build runs through this one function.
 */
import type { AlphaSpec, LossSpec } from '../losses';
import { makeLoss } from '../losses';
import { countClasses, sampleRows, type SamplingSpec } from '../sampling';
import { stratifiedHoldout, stratifiedKFold, type LabelSets } from '../split';
import type { AugmentOptions } from '../augment';
import { shuffledRows } from './batchSource';
import type { TrainingCallback } from './callbacks';
import { earlyStopping } from './earlyStopping';
import type { Monitor } from './logs';
import { reduceLrOnPlateau } from './reduceLrOnPlateau';
import type { TrainingPhase } from './trainer';
import { NUM_CLASSES } from '../labels';

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
}

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
};

/** Checks a recipe and returns the first problem as a sentence naming the setting, or null. */
export function recipeProblem(c: RunConfig, storedSize: number): string | null {
  if (!Number.isInteger(c.inputSize) || c.inputSize < 32) return `Input size ${c.inputSize} px: the models need at least 32 px`;
  if (c.inputSize > storedSize) return `Input size ${c.inputSize} px is larger than the dataset's stored ${storedSize} px`;
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) return `Batch size must be a whole number ≥ 1 (got ${c.batchSize})`;
  if (!Number.isInteger(c.epochs) || c.epochs < 1) return `Epochs must be a whole number ≥ 1 (got ${c.epochs})`;
  if (!(c.lr > 0 && c.lr < 1)) return `Learning rate must be in (0, 1) (got ${c.lr})`;
  if (!(c.gamma >= 0)) return `Focal γ must be ≥ 0 (got ${c.gamma})`;
  if (c.alpha.mode === 'scalar' && !(c.alpha.value > 0 && c.alpha.value < 1)) return `Focal α must be in (0, 1) (got ${c.alpha.value})`;
  if (c.split.kind === 'holdout' && !(c.split.fraction > 0 && c.split.fraction < 1)) return `Validation fraction must be in (0, 1) (got ${c.split.fraction})`;
  if (c.split.kind === 'kfold' && !(Number.isInteger(c.split.folds) && c.split.folds >= 2 && c.split.fold >= 0 && c.split.fold < c.split.folds)) {
    return `K-fold needs K ≥ 2 and a fold in 0..K−1 (got K = ${c.split.folds}, fold ${c.split.fold})`;
  }
  return null;
}

export interface PreparedRun {
  /** fold of every row (hold-out: 0 = validation, 1 = training) */
  assignment: Int32Array;
  trainRows: number[];
  valRows: number[];
  /** training rows after rare-class duplication (the weighted sampler redraws per epoch instead) */
  sampledRows: Int32Array;
  trainOrder?: (epoch: number, seed: number) => ArrayLike<number>;
  classCounts: Int32Array;
  /** classes with no positive among the validation rows: their F1 cannot be measured */
  classesWithoutValPositives: number[];
  phases: TrainingPhase[];
  totalEpochs: number;
  augment: AugmentOptions;
  /** LR schedule and early stopping as callbacks (with the plateau reductions for the charts) */
  scheduleCallbacks: TrainingCallback[];
  plateau: ReturnType<typeof reduceLrOnPlateau> | null;
}

export function prepareRun(c: RunConfig, labelSets: LabelSets): PreparedRun {
  const n = labelSets.length;
  const assignment = c.split.kind === 'kfold' ? stratifiedKFold(labelSets, c.split.folds, c.seed) : stratifiedHoldout(labelSets, c.split.fraction, c.seed);
  const valFold = c.split.kind === 'kfold' ? c.split.fold : 0;
  const trainRows: number[] = [];
  const valRows: number[] = [];
  for (let i = 0; i < n; i++) (assignment[i] === valFold ? valRows : trainRows).push(i);
  if (!trainRows.length || !valRows.length) throw new Error(`the split leaves ${trainRows.length} training and ${valRows.length} validation images: the dataset is too small for it`);
  const classCounts = countClasses(labelSets, trainRows);
  const valCounts = countClasses(labelSets, valRows);
  const ctx = { labelSets, classCounts };
  const sampledRows = c.sampler === 'rare' ? sampleRows({ kind: 'rare-duplication' }, trainRows, ctx) : Int32Array.from(trainRows);
  const trainOrder =
    c.sampler === 'weights'
      ? (epoch: number, seed: number) => {
          const spec: SamplingSpec = { kind: 'weighted', weights: { mode: 'inverse-frequency' }, seed: seed * 100003 + epoch };
          return shuffledRows(sampleRows(spec, trainRows, ctx), epoch, seed);
        }
      : undefined;
  const lossSpec: LossSpec = c.loss === 'focal' ? { kind: 'focal', gamma: c.gamma, alpha: c.alpha } : c.loss === 'f1' ? { kind: 'soft-f1' } : { kind: 'bce', alpha: c.alpha };
  const phases: TrainingPhase[] =
    c.loss === 'bce-then-f1'
      ? [
          { name: 'bce', epochs: c.epochs, loss: makeLoss({ kind: 'bce', alpha: c.alpha }, classCounts), lr: c.lr },
          { name: 'soft-f1 (last 7 layers)', epochs: c.f1Epochs, loss: makeLoss({ kind: 'soft-f1' }), lr: c.lr / 10, trainable: { lastLayers: 7 } },
        ]
      : [{ name: c.loss, epochs: c.epochs, loss: makeLoss(lossSpec, classCounts), lr: c.lr }];
  const plateau = c.plateau ? reduceLrOnPlateau({ monitor: c.monitor, factor: c.plateau.factor, patience: c.plateau.patience }) : null;
  const scheduleCallbacks: TrainingCallback[] = [];
  if (plateau) scheduleCallbacks.push(plateau);
  if (c.earlyStopPatience > 0) scheduleCallbacks.push(earlyStopping({ monitor: c.monitor, patience: c.earlyStopPatience }));
  return {
    assignment,
    trainRows,
    valRows,
    sampledRows,
    trainOrder,
    classCounts,
    classesWithoutValPositives: Array.from({ length: NUM_CLASSES }, (_, k) => k).filter((k) => valCounts[k] === 0),
    phases,
    totalEpochs: phases.reduce((s, p) => s + p.epochs, 0),
    augment: { size: c.inputSize, mode: c.mode, flips: c.augment.flips, rotate90: c.augment.rotate90 },
    scheduleCallbacks,
    plateau,
  };
}
