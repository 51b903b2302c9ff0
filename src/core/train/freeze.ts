/** Freezing for fine-tuning: only the last N layers stay trainable (the Keras kernel's "last 7 layers"). */
import type * as tf from '@tensorflow/tfjs';

/** Makes only the last `n` layers trainable; `n` undefined makes every layer trainable again. */
export function trainOnlyLastLayers(model: tf.LayersModel, n?: number): void {
  const first = n === undefined ? 0 : Math.max(0, model.layers.length - n);
  model.layers.forEach((l, i) => (l.trainable = i >= first));
}

/** How many trailing layers form the dense head, from the concatenation of the pooled features on. */
export function headLayerCount(model: tf.LayersModel, from = 'concat'): number {
  const i = model.layers.findIndex((l) => l.name === from);
  if (i < 0) throw new Error(`model '${model.name}' has no layer '${from}'`);
  return model.layers.length - i;
}
