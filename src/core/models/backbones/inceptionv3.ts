/**
 * InceptionV3 without its top, as Keras Applications builds it (keras/applications/inception_v3.py):
 * every conv is conv2d_bn (conv without bias → BatchNorm without γ (scale = false), ε 1e-3 → ReLU);
 * stem of five such convs and two 3×3/2 max pools, then mixed0 … mixed10. Average pools are 3×3
 * stride 1 'same' (the mean over the pixels inside the image, as TF's).
 *
 * Keras leaves these layers unnamed, so they carry automatic names numbered in creation order:
 * conv2d_N, batch_normalization_N, activation_N, max_pooling2d_N, average_pooling2d_N,
 * concatenate_N. They are numbered here the same way, starting at INCEPTION_V3_FIRST_INDEX (the
 * published notop file's numbering); the block concatenations are named mixed0 … mixed10 and
 * mixed9_0, mixed9_1 as in Keras.
 */
import { INCEPTION_V3_FIRST_INDEX } from './blocks';
import { avgPool, batchNorm, concat, conv, maxPool, relu, type LayerSeeds, type T } from './layerMakers';

class Namer {
  private readonly counts = new Map<string, number>();
  next(kind: string): string {
    const n = this.counts.get(kind) ?? INCEPTION_V3_FIRST_INDEX;
    this.counts.set(kind, n + 1);
    return `${kind}_${n}`;
  }
}

export function inceptionV3(input: T, seeds: LayerSeeds): T {
  const names = new Namer();
  const cbr = (x: T, filters: number, rows: number, cols: number, padding: 'same' | 'valid' = 'same', strides = 1): T => {
    x = conv(x, seeds, { name: names.next('conv2d'), filters, kernelSize: [rows, cols], strides, padding, useBias: false });
    x = batchNorm(x, { name: names.next('batch_normalization'), epsilon: 1e-3, scale: false });
    return relu(x, names.next('activation'));
  };
  const maxPool3 = (x: T) => maxPool(x, names.next('max_pooling2d'), 3, 2);
  const avgPool3 = (x: T) => avgPool(x, names.next('average_pooling2d'), 3, 1, 'same');

  let x = cbr(input, 32, 3, 3, 'valid', 2);
  x = cbr(x, 32, 3, 3, 'valid');
  x = cbr(x, 64, 3, 3);
  x = maxPool3(x);
  x = cbr(x, 80, 1, 1, 'valid');
  x = cbr(x, 192, 3, 3, 'valid');
  x = maxPool3(x);

  // mixed 0, 1, 2: 35 × 35 at 299 px
  for (const [i, poolFilters] of [32, 64, 64].entries()) {
    const b1 = cbr(x, 64, 1, 1);
    let b5 = cbr(x, 48, 1, 1);
    b5 = cbr(b5, 64, 5, 5);
    let b3 = cbr(x, 64, 1, 1);
    b3 = cbr(b3, 96, 3, 3);
    b3 = cbr(b3, 96, 3, 3);
    const bp = cbr(avgPool3(x), poolFilters, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }

  // mixed 3: 17 × 17
  {
    const b3 = cbr(x, 384, 3, 3, 'valid', 2);
    let bd = cbr(x, 64, 1, 1);
    bd = cbr(bd, 96, 3, 3);
    bd = cbr(bd, 96, 3, 3, 'valid', 2);
    const bp = maxPool3(x);
    x = concat([b3, bd, bp], 'mixed3');
  }

  // mixed 4 … 7: 17 × 17
  for (const [i, c] of [128, 160, 160, 192].entries()) {
    const b1 = cbr(x, 192, 1, 1);
    let b7 = cbr(x, c, 1, 1);
    b7 = cbr(b7, c, 1, 7);
    b7 = cbr(b7, 192, 7, 1);
    let bd = cbr(x, c, 1, 1);
    bd = cbr(bd, c, 7, 1);
    bd = cbr(bd, c, 1, 7);
    bd = cbr(bd, c, 7, 1);
    bd = cbr(bd, 192, 1, 7);
    const bp = cbr(avgPool3(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${4 + i}`);
  }

  // mixed 8: 8 × 8
  {
    let b3 = cbr(x, 192, 1, 1);
    b3 = cbr(b3, 320, 3, 3, 'valid', 2);
    let b7 = cbr(x, 192, 1, 1);
    b7 = cbr(b7, 192, 1, 7);
    b7 = cbr(b7, 192, 7, 1);
    b7 = cbr(b7, 192, 3, 3, 'valid', 2);
    const bp = maxPool3(x);
    x = concat([b3, b7, bp], 'mixed8');
  }

  // mixed 9, 10: 8 × 8
  for (let i = 0; i < 2; i++) {
    const b1 = cbr(x, 320, 1, 1);
    const b3 = cbr(x, 384, 1, 1);
    const b3a = cbr(b3, 384, 1, 3);
    const b3b = cbr(b3, 384, 3, 1);
    const b3cat = concat([b3a, b3b], `mixed9_${i}`);
    let bd = cbr(x, 448, 1, 1);
    bd = cbr(bd, 384, 3, 3);
    const bda = cbr(bd, 384, 1, 3);
    const bdb = cbr(bd, 384, 3, 1);
    const bdcat = concat([bda, bdb], names.next('concatenate'));
    const bp = cbr(avgPool3(x), 192, 1, 1);
    x = concat([b1, b3cat, bdcat, bp], `mixed${9 + i}`);
  }
  return x;
}
