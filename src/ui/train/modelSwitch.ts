/**
 * What the run setup does when the user picks another model: a transfer model gets the seed's
 * transfer schedule (docs/domain.md §5) the first time, a GAPNet gets the studio's GAPNet recipe
 * back, and a change between backbones keeps the schedule but not weights made for the other
 * backbone. The data side of the recipe (split, sampler, augmentation, seed, memory) stays as set.
 * Returns the new recipe and what changed, in words, for the form to say.
 */
import { modelInfo } from '../../core/models/catalog';
import { DEFAULT_RUN, isTransferModel, transferDefaults, type RunConfig } from '../../core/runConfig';

export function switchModel(c: RunConfig, model: string, storedSize: number): { config: RunConfig; changes: string[] } {
  if (model === c.model) return { config: c, changes: [] };
  const sizes = modelInfo(model).inputSizes;
  const toTransfer = isTransferModel(model);
  const fromTransfer = isTransferModel(c.model);
  const changes: string[] = [];
  let config: RunConfig;
  if (toTransfer && !fromTransfer) {
    const d = transferDefaults(model, storedSize);
    config = {
      ...c,
      model,
      inputSize: d.inputSize,
      loss: d.loss,
      alpha: d.alpha,
      lr: d.lr,
      epochs: d.epochs,
      plateau: d.plateau,
      earlyStopPatience: d.earlyStopPatience,
      monitor: d.monitor,
      transfer: d.transfer,
    };
    changes.push(
      `the seed's transfer recipe: ${d.transfer!.warmupEpochs} warm-up epochs with the backbone frozen at ${d.transfer!.warmupLr}, then ${d.epochs} epochs of every layer at ${d.lr}, BCE, LR × ${d.plateau!.factor} after ${d.plateau!.patience} flat epochs, early stop after ${d.earlyStopPatience}; input ${d.inputSize} px`,
    );
  } else if (!toTransfer && fromTransfer) {
    const { transfer: _dropped, ...rest } = c;
    void _dropped;
    const inputSize = Math.max(sizes.min, Math.min(DEFAULT_RUN.inputSize, storedSize));
    config = {
      ...rest,
      model,
      inputSize,
      loss: DEFAULT_RUN.loss,
      alpha: DEFAULT_RUN.alpha,
      lr: DEFAULT_RUN.lr,
      epochs: DEFAULT_RUN.epochs,
      plateau: DEFAULT_RUN.plateau,
      earlyStopPatience: DEFAULT_RUN.earlyStopPatience,
      monitor: DEFAULT_RUN.monitor,
    };
    changes.push(`the GAPNet recipe: focal loss, ${DEFAULT_RUN.epochs} epochs at ${DEFAULT_RUN.lr}; input ${inputSize} px`);
  } else {
    config = { ...c, model };
    // between backbones the input follows the new one's default (brought down to the stored size)
    const inputSize = toTransfer ? Math.max(sizes.min, Math.min(sizes.default, storedSize)) : Math.max(sizes.min, Math.min(c.inputSize, sizes.max, storedSize));
    if (inputSize !== c.inputSize) {
      config = { ...config, inputSize };
      changes.push(`input size ${c.inputSize} → ${inputSize} px (${model} takes ${sizes.min}–${sizes.max} px, default ${sizes.default})`);
    }
    if (toTransfer && c.transfer?.weights) {
      config = { ...config, transfer: { ...c.transfer, weights: null } };
      changes.push(`weights: random initialisation (the stored weights were for ${c.model})`);
    }
  }
  return { config, changes };
}
