/**
 * One weight tensor as read from a weights file, before it meets a model: the layer it belongs to,
 * its short name within the layer, its shape and its values. Every reader (Keras HDF5, TF.js
 * folders) gives a list of these in the file's order, so a layer's weights keep their position.
 */
export interface NamedWeight {
  layer: string;
  /** the short name within the layer: 'kernel', 'bias', 'gamma', 'moving_mean', 'depthwise_kernel', ... */
  weight: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The short weight name of a stored one: 'block1_conv1/kernel:0' (Keras 2), 'block1_conv1/kernel'
 * (Keras 3, TF.js) and 'model/block1_conv1/kernel' all give 'kernel'. Names of the oldest files
 * ('block1_conv1_W_1:0') keep their form; those load by position within the layer.
 */
export function shortWeightName(stored: string): string {
  return stored.replace(/:\d+$/, '').replace(/^.*\//, '');
}

/** 'layer/weight', the name a report shows. */
export function weightKey(w: Pick<NamedWeight, 'layer' | 'weight'>): string {
  return `${w.layer}/${w.weight}`;
}

export function weightsByteLength(weights: readonly NamedWeight[]): number {
  return weights.reduce((s, w) => s + w.data.byteLength, 0);
}

export function countValues(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
