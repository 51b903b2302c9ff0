/**
 * GAPNet: convolutions whose feature maps at three depths are global-average-pooled and
 * concatenated (224 features) before a small dense head. Two variants (docs/domain.md §4):
 *
 * gapnet-pl — the paper's network (Rumetshofer et al., ICLR 2019; ml-jku/gapnet-pl).
 *   3×3 convs with bias and SELU, truncated-normal init std = sqrt(1/fan_in), zero biases.
 *   Padding: the authors' TeLL "ZEROPAD" pads 1 pixel on *every* side and convolves 'valid', so
 *   out = ceil(in/stride) with the sampling grid centred. TF/tfjs 'same' is identical for stride 1,
 *   but for stride 2 on an even input it pads 0 before and 1 after, shifting the grid by a pixel.
 *   So the two stride-2 convs here are ZeroPadding2D(1) + 'valid' (layers conv1_pad, conv2_pad)
 *   and the stride-1 convs use 'same'. Max-pools 2×2 stride 2 'same' (as TeLL's).
 *   Head: FC 256 SELU → AlphaDropout .3 → FC 256 SELU → AlphaDropout .3 → FC 28 sigmoid.
 *   Input: per-image per-channel (x − mean)/(std + 1e-7).
 *
 * gapnet-kaggle — the Keras kernel "GapNet-PL [LB 0.385]": BatchNorm + ReLU, 'valid' convs and
 *   pools, plain dropout, Keras default init (Glorot uniform, zero bias), input / 255.
 *   'valid' padding needs at least 149 px; below that the convs and pools use 'same' instead
 *   (parameter count unchanged) and the model's description says so.
 *
 * Both end in a sigmoid: the model outputs per-class probabilities, which is what the losses
 * (losses.ts) and the metrics take.
 */
import * as tf from '@tensorflow/tfjs';
import { InputNormalization, type NormalisationMode } from './layers/inputNormalization';
import { inputConv2d } from './layers/inputConv2d';
import { AlphaDropout, SeededDropout } from './layers/seededDropout';

export interface GapNetOptions {
  inputSize: number;
  channels: number;
  classes: number;
  normalisation: NormalisationMode;
  seed?: number;
  /** gapnet-kaggle only: conv/pool padding; 'auto' = 'valid' where it fits (≥ 149 px), else 'same' */
  padding?: 'auto' | 'valid' | 'same';
}

/** The input side below which gapnet-kaggle's 'valid' convs and pools run out of pixels. */
export const GAPNET_KAGGLE_MIN_VALID_SIZE = 149;

/** Truncated normal with std sqrt(1/fan_in) (TeLL's scaled_elu_initialization). */
function seluInit(fanIn: number, seed: number | undefined) {
  return tf.initializers.truncatedNormal({ mean: 0, stddev: Math.sqrt(1 / fanIn), seed });
}

function seeder(seed: number | undefined): () => number | undefined {
  let i = 0;
  return () => (seed === undefined ? undefined : seed * 1000 + i++);
}

export function buildGapNetPL(o: GapNetOptions): tf.LayersModel {
  const next = seeder(o.seed);
  const input = tf.input({ shape: [o.inputSize, o.inputSize, o.channels], name: 'image' });
  let x = new InputNormalization({ mode: o.normalisation, name: 'normalise' }).apply(input) as tf.SymbolicTensor;
  let cin = o.channels;
  const conv = (t: tf.SymbolicTensor, n: number, filters: number, stride: number): tf.SymbolicTensor => {
    if (stride > 1) t = tf.layers.zeroPadding2d({ padding: 1, name: `conv${n}_pad` }).apply(t) as tf.SymbolicTensor;
    // conv1 reads the normalised input, which never needs a gradient (inputConv2d.ts)
    const out = (n === 1 ? inputConv2d : tf.layers.conv2d)({
      name: `conv${n}`,
      filters,
      kernelSize: 3,
      strides: stride,
      padding: stride > 1 ? 'valid' : 'same',
      activation: 'selu',
      kernelInitializer: seluInit(9 * cin, next()),
      biasInitializer: 'zeros',
    }).apply(t) as tf.SymbolicTensor;
    cin = filters;
    return out;
  };
  const pool = (t: tf.SymbolicTensor, n: number) =>
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: `pool${n}` }).apply(t) as tf.SymbolicTensor;
  const gap = (t: tf.SymbolicTensor, n: number) => tf.layers.globalAveragePooling2d({ name: `gap${n}` }).apply(t) as tf.SymbolicTensor;

  x = pool(conv(x, 1, 32, 2), 1);
  const gap1 = gap(x, 1);
  x = conv(x, 2, 64, 2);
  x = conv(x, 3, 64, 1);
  x = conv(x, 4, 64, 1);
  x = conv(x, 5, 64, 1);
  x = pool(x, 2);
  const gap2 = gap(x, 2);
  x = conv(x, 6, 128, 1);
  x = conv(x, 7, 128, 1);
  x = conv(x, 8, 128, 1);
  const gap3 = gap(x, 3);
  let h = tf.layers.concatenate({ name: 'concat' }).apply([gap1, gap2, gap3]) as tf.SymbolicTensor;
  let fanIn = 32 + 64 + 128;
  for (const n of [1, 2]) {
    h = tf.layers.dense({ name: `fc${n}`, units: 256, activation: 'selu', kernelInitializer: seluInit(fanIn, next()) }).apply(h) as tf.SymbolicTensor;
    h = new AlphaDropout({ rate: 0.3, seed: next(), name: `fc${n}_dropout` }).apply(h) as tf.SymbolicTensor;
    fanIn = 256;
  }
  const out = tf.layers
    .dense({ name: 'fc3', units: o.classes, activation: 'sigmoid', kernelInitializer: seluInit(fanIn, next()) })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'gapnet-pl' });
}

export function kagglePadding(o: Pick<GapNetOptions, 'inputSize' | 'padding'>): 'valid' | 'same' {
  const p = o.padding ?? 'auto';
  if (p !== 'auto') return p;
  return o.inputSize >= GAPNET_KAGGLE_MIN_VALID_SIZE ? 'valid' : 'same';
}

export function buildGapNetKaggle(o: GapNetOptions): tf.LayersModel {
  const next = seeder(o.seed);
  const padding = kagglePadding(o);
  if (padding === 'valid' && o.inputSize < GAPNET_KAGGLE_MIN_VALID_SIZE) {
    throw new Error(`gapnet-kaggle with 'valid' padding needs inputs of at least ${GAPNET_KAGGLE_MIN_VALID_SIZE} px, got ${o.inputSize}; use padding 'same'`);
  }
  const input = tf.input({ shape: [o.inputSize, o.inputSize, o.channels], name: 'image' });
  let x = new InputNormalization({ mode: o.normalisation, name: 'normalise' }).apply(input) as tf.SymbolicTensor;
  let bn = 0;
  let cv = 0;
  let dr = 0;
  const B = (t: tf.SymbolicTensor) => tf.layers.batchNormalization({ name: `bn${++bn}` }).apply(t) as tf.SymbolicTensor;
  const C = (t: tf.SymbolicTensor, filters: number, stride = 1) =>
    tf.layers
      .conv2d({
        name: `conv${++cv}`,
        filters,
        kernelSize: 3,
        strides: stride,
        padding,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: next() }),
      })
      .apply(t) as tf.SymbolicTensor;
  const P = (t: tf.SymbolicTensor, n: number) => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding, name: `pool${n}` }).apply(t) as tf.SymbolicTensor;
  const D = (t: tf.SymbolicTensor, rate: number) => new SeededDropout({ rate, seed: next(), name: `dropout${++dr}` }).apply(t) as tf.SymbolicTensor;

  const fm1 = D(P(B(C(B(x), 32, 2)), 1), 0.3);
  x = B(C(B(fm1), 64, 2));
  x = B(C(x, 64));
  const fm2 = D(P(B(C(x, 64)), 2), 0.3);
  x = B(C(B(fm2), 128));
  x = B(C(x, 128));
  const fm3 = D(C(x, 128), 0.3);
  const gaps = [fm1, fm2, fm3].map((t, i) => tf.layers.globalAveragePooling2d({ name: `gap${i + 1}` }).apply(t) as tf.SymbolicTensor);
  let h = tf.layers.concatenate({ name: 'concat' }).apply(gaps) as tf.SymbolicTensor;
  h = D(
    tf.layers
      .dense({ name: 'fc1', units: 256, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: next() }) })
      .apply(h) as tf.SymbolicTensor,
    0.5,
  );
  h = D(
    tf.layers
      .dense({ name: 'fc2', units: 256, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: next() }) })
      .apply(h) as tf.SymbolicTensor,
    0.1,
  );
  const out = tf.layers
    .dense({ name: 'fc3', units: o.classes, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: next() }) })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'gapnet-kaggle' });
}
