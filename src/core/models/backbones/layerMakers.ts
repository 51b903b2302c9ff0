/**
 * Layer makers for the transfer backbones: Keras Applications' layer types with Keras's defaults
 * (Glorot-uniform kernels, zero biases, BatchNorm γ = 1, β = 0, moving mean 0, variance 1) and a
 * seed per layer drawn in construction order, so a model built twice with one seed has identical
 * weights. Layer names are always given: they are what the published weights are matched by.
 */
import * as tf from '@tensorflow/tfjs';

export type T = tf.SymbolicTensor;

/** Seeds for successive layers: seed·1000 + i, or none when the build is unseeded. */
export class LayerSeeds {
  private i = 0;
  constructor(private readonly seed: number | undefined) {}
  next(): number | undefined {
    return this.seed === undefined ? undefined : this.seed * 1000 + this.i++;
  }
}

export function glorot(seeds: LayerSeeds): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: seeds.next() });
}

export interface ConvArgs {
  name: string;
  filters: number;
  kernelSize: number | [number, number];
  strides?: number;
  padding?: 'same' | 'valid';
  useBias?: boolean;
  activation?: 'relu';
}

export function conv(x: T, seeds: LayerSeeds, a: ConvArgs): T {
  return tf.layers
    .conv2d({
      name: a.name,
      filters: a.filters,
      kernelSize: a.kernelSize,
      strides: a.strides ?? 1,
      padding: a.padding ?? 'valid',
      useBias: a.useBias ?? true,
      activation: a.activation,
      kernelInitializer: glorot(seeds),
      biasInitializer: 'zeros',
    })
    .apply(x) as T;
}

export function depthwise(x: T, seeds: LayerSeeds, a: { name: string; strides: number; padding: 'same' | 'valid' }): T {
  return tf.layers
    .depthwiseConv2d({ name: a.name, kernelSize: 3, strides: a.strides, padding: a.padding, useBias: false, depthwiseInitializer: glorot(seeds) })
    .apply(x) as T;
}

export function batchNorm(x: T, a: { name: string; epsilon: number; momentum?: number; scale?: boolean }): T {
  return tf.layers.batchNormalization({ name: a.name, axis: -1, epsilon: a.epsilon, momentum: a.momentum ?? 0.99, scale: a.scale ?? true }).apply(x) as T;
}

export function relu(x: T, name: string): T {
  return tf.layers.activation({ name, activation: 'relu' }).apply(x) as T;
}

export function relu6(x: T, name: string): T {
  return tf.layers.reLU({ name, maxValue: 6 }).apply(x) as T;
}

export function zeroPad(x: T, name: string, padding: [[number, number], [number, number]]): T {
  return tf.layers.zeroPadding2d({ name, padding }).apply(x) as T;
}

/**
 * Keras's imagenet_utils.correct_pad for a stride-2 k×k convolution: k//2 on each side, less one
 * before (top/left) when the side is even, so an even input is padded ((0, 1), (0, 1)) for k = 3 —
 * the extra pixel at the end, as TF's 'same' puts it.
 */
export function correctPad(x: T, k: number): [[number, number], [number, number]] {
  const [, h, w] = x.shape;
  const c = Math.floor(k / 2);
  const adj = (n: number | null) => (n === null ? 1 : 1 - (n % 2));
  return [
    [c - adj(h), c],
    [c - adj(w), c],
  ];
}

export function maxPool(x: T, name: string, poolSize: number, strides: number, padding: 'same' | 'valid' = 'valid'): T {
  return tf.layers.maxPooling2d({ name, poolSize, strides, padding }).apply(x) as T;
}

export function avgPool(x: T, name: string, poolSize: number, strides: number, padding: 'same' | 'valid'): T {
  return tf.layers.averagePooling2d({ name, poolSize, strides, padding }).apply(x) as T;
}

export function add(xs: T[], name: string): T {
  return tf.layers.add({ name }).apply(xs) as T;
}

export function concat(xs: T[], name: string): T {
  return tf.layers.concatenate({ name, axis: -1 }).apply(xs) as T;
}
