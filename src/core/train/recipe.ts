/**
 * A run's recipe as plain JSON (what the studio's run setup and the CLI's flags describe), and
 * `prepareRun`, which turns it plus the training rows' label sets into what the loop needs: the
 * split, the sampled training order, the loss phases and the schedule callbacks. The browser
 * worker and the Node CLI both build runs through this one function.
 */
import type { LossSpec } from '../losses';
import { DEFAULT_TRANSFER, fineTunePhaseName, isTransferModel, WARMUP_PHASE_NAME, type RunConfig } from '../runConfig';
import { makeLoss } from '../losses';
import { countClasses, sampleRows, type SamplingSpec } from '../sampling';
import { stratifiedHoldout, stratifiedKFold, type LabelSets } from '../split';
import type { AugmentOptions } from '../augment';
import { shuffledRows } from './batchSource';
import type { TrainingCallback } from './callbacks';
import { earlyStopping } from './earlyStopping';
import { reduceLrOnPlateau } from './reduceLrOnPlateau';
import type { TrainingPhase } from './trainer';
import { NUM_CLASSES } from '../labels';

export type { LossChoice, RunConfig, SamplerChoice, SplitChoice } from '../runConfig';
export { DEFAULT_RUN, recipeProblem } from '../runConfig';

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

/**
 * A transfer model's schedule (docs/domain.md §5): the warm-up trains the head (and the adapter) with
 * the backbone frozen, its BatchNorm in inference mode, at its own learning rate; then the fine-tune
 * trains every layer, or the head and the backbone's last N blocks, at the run's (lower) rate. Each
 * phase starts a fresh Adam, as the seed recompiled its model; the run's loss applies to both.
 */
function transferPhases(c: RunConfig, loss: TrainingPhase['loss']): TrainingPhase[] {
  const t = c.transfer ?? DEFAULT_TRANSFER;
  const phases: TrainingPhase[] = [];
  if (t.warmupEpochs > 0) phases.push({ name: WARMUP_PHASE_NAME, epochs: t.warmupEpochs, loss, lr: t.warmupLr, trainable: { backbone: 'frozen' } });
  phases.push({
    name: fineTunePhaseName(t.unfreeze),
    epochs: c.epochs,
    loss,
    lr: c.lr,
    trainable: t.unfreeze === 'all' ? 'all' : { backbone: { lastBlocks: t.unfreeze.lastBlocks } },
  });
  return phases;
}

export function prepareRun(c: RunConfig, labelSets: LabelSets): PreparedRun {
  const n = labelSets.length;
  const assignment = c.split.kind === 'kfold' ? stratifiedKFold(labelSets, c.split.folds, c.seed) : stratifiedHoldout(labelSets, c.split.fraction, c.seed);
  const valFold = c.split.kind === 'kfold' ? c.split.fold : 0;
  const trainRows: number[] = [];
  const valRows: number[] = [];
  for (let i = 0; i < n; i++) (assignment[i] === valFold ? valRows : trainRows).push(i);
  if (!trainRows.length || !valRows.length)
    throw new Error(`the split leaves ${trainRows.length} training and ${valRows.length} validation images: the dataset is too small for it`);
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
  const lossSpec: LossSpec =
    c.loss === 'focal' ? { kind: 'focal', gamma: c.gamma, alpha: c.alpha } : c.loss === 'f1' ? { kind: 'soft-f1' } : { kind: 'bce', alpha: c.alpha };
  const phases: TrainingPhase[] = isTransferModel(c.model)
    ? transferPhases(c, makeLoss(lossSpec, classCounts))
    : c.loss === 'bce-then-f1'
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
