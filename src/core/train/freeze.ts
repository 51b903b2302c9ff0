/**
 * Freezing for fine-tuning (the Keras kernel's "all but the last 7 layers"): layer.trainable per the
 * phase's `Trainable` setting of lossSchedule.ts. In both GAPNets here the last 7 layers are gap3
 * (no weights), concat and the dense head (fc1, dropout, fc2, dropout, fc3), so exactly the three
 * dense layers train, as in the kernel (whose 7th-from-last is a separate sigmoid Activation).
 * As in Keras 2.x of the kernel's time, a frozen BatchNormalization still uses batch statistics and
 * updates its moving averages while training.
 */
import type * as tf from '@tensorflow/tfjs';
import { trainableMask, type Trainable } from '../lossSchedule';
import { backboneBlockCount, layerRole } from '../models/backbones/blocks';

/**
 * Sets layer.trainable by the phase's setting; 'all' (the default) unfreezes everything. The backbone
 * settings find the parts of a transfer model by its name (the registry's, which builds it with that
 * name) and its layers' Keras names (layerRole). A transfer model's BatchNorm layers run in inference
 * mode while frozen (core/models/backbones), so freezing one also stops its moving statistics.
 */
export function setTrainable(model: tf.LayersModel, trainable: Trainable = 'all'): void {
  const parts =
    trainable !== 'all' && 'backbone' in trainable
      ? { roles: model.layers.map((l) => layerRole(model.name, l.name)), blockCount: backboneBlockCount(model.name) }
      : undefined;
  const mask = trainableMask(model.layers.length, trainable, parts);
  model.layers.forEach((l, i) => (l.trainable = mask[i]));
}

/** Parameters that train under a setting (the model's layers are left all trainable after). */
export function trainableParamCount(model: tf.LayersModel, trainable: Trainable = 'all'): number {
  setTrainable(model, trainable);
  try {
    return model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  } finally {
    setTrainable(model);
  }
}

/** How many trailing layers form the dense head, from the concatenation of the pooled features on. */
export function headLayerCount(model: tf.LayersModel, from = 'concat'): number {
  const i = model.layers.findIndex((l) => l.name === from);
  if (i < 0) throw new Error(`model '${model.name}' has no layer '${from}'`);
  return model.layers.length - i;
}
