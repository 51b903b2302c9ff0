/**
 * Transfer models: a Keras Applications backbone (VGG16, ResNet50, InceptionV3, MobileNetV2; no
 * top, Keras's layer names) between the studio's input handling and a classification head.
 *
 *   hpa_input [S, S, 4] RGBY 0..255
 *     → channels: 'rgb'     hpa_rgb keeps R, G, B (yellow dropped)
 *                 'widen'   all four go on; the backbone's first conv takes 4 input channels, its
 *                           yellow filters a copy of the red ones (widenFirstConvKernel)
 *                 'adapter' hpa_adapter, a learned 1×1 conv 4 → 3 starting as R, G, B pass-through
 *     → hpa_preprocess: the backbone's ImageNet preprocessing ('caffe' or 'tf', blocks.ts)
 *     → head 'seed' only: hpa_head_bn, the BatchNorm §5 puts on the input (trains with the head)
 *     → backbone
 *     → head 'seed': hpa_head_conv (32 1×1 ReLU) → hpa_head_flatten → hpa_head_dropout1 (.5) →
 *                    hpa_head_fc1 (1024 ReLU) → hpa_head_dropout2 (.5) → hpa_head_out (sigmoid)
 *            'gap':  hpa_head_gap → hpa_head_dropout (.5) → hpa_head_out (sigmoid)
 *
 * The seed head's Dense 1024 reads the flattened backbone map, so its size depends on the input
 * size. Every BatchNorm layer gets Keras's frozen-inference semantics (layers/kerasBatchNorm.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { ChannelSelect } from './layers/channelSelect';
import { ImagenetPreprocess } from './layers/imagenetPreprocess';
import { useKerasBatchNormIn } from './layers/kerasBatchNorm';
import { SeededDropout } from './layers/seededDropout';
import { firstConvLayer, PREPROCESSING, type TransferModelName } from './backbones/blocks';
import { LayerSeeds, glorot, type T } from './backbones/layerMakers';
import { mobileNetV2 } from './backbones/mobilenetv2';
import { resNet50 } from './backbones/resnet50';
import { vgg16 } from './backbones/vgg16';
import { inceptionV3 } from './backbones/inceptionv3';

export type FourChannels = 'rgb' | 'widen' | 'adapter';
export type TransferHead = 'seed' | 'gap';

export const DEFAULT_FOUR_CHANNELS: FourChannels = 'widen';
export const DEFAULT_HEAD: TransferHead = 'seed';

export interface BackboneOptions {
  seed?: number;
  /** MobileNetV2's width multiplier (0.35, 0.5, 0.75, 1.0, 1.3, 1.4); default 1 */
  alpha?: number;
}

export interface TransferOptions extends BackboneOptions {
  inputSize: number;
  classes: number;
  fourChannels?: FourChannels;
  head?: TransferHead;
}

/** Applies the named backbone's layers to x (Keras names; the first conv takes x's channel count). */
export function applyBackbone(name: TransferModelName, x: T, seeds: LayerSeeds, o: BackboneOptions = {}): T {
  switch (name) {
    case 'vgg16':
      return vgg16(x, seeds);
    case 'resnet50':
      return resNet50(x, seeds);
    case 'inceptionv3':
      return inceptionV3(x, seeds);
    case 'mobilenetv2':
      return mobileNetV2(x, seeds, o.alpha ?? 1.0);
  }
}

/** The backbone alone, as Keras Applications builds it with include_top = False (input `input_1`). */
export function buildBackbone(name: TransferModelName, inputSize: number, channels = 3, o: BackboneOptions = {}): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, channels], name: 'input_1' });
  const model = tf.model({ inputs: input, outputs: applyBackbone(name, input, new LayerSeeds(o.seed), o), name: `${name}_notop` });
  useKerasBatchNormIn(model);
  return model;
}

/**
 * A first-conv kernel [kh, kw, 3, out] (HWIO, as Keras stores it) widened to [kh, kw, 4, out]: the
 * fourth (yellow) input channel gets a copy of the red channel's filters. Red is where the conv
 * sees it: input channel 2 after 'caffe' preprocessing (BGR), channel 0 after 'tf' (RGB).
 */
export function widenFirstConvKernel(model: string, kernel: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  const [kh, kw, cin, out] = shape;
  if (shape.length !== 4 || cin !== 3) throw new Error(`widenFirstConvKernel: expected a [kh, kw, 3, out] kernel, got [${shape.join(', ')}]`);
  if (kernel.length !== kh * kw * cin * out) throw new Error(`widenFirstConvKernel: ${kernel.length} values for shape [${shape.join(', ')}]`);
  const red = PREPROCESSING[model as TransferModelName] === 'caffe' ? 2 : 0;
  if (!(model in PREPROCESSING)) throw new Error(`'${model}' is not a transfer model`);
  const data = new Float32Array(kh * kw * 4 * out);
  for (let p = 0; p < kh * kw; p++) {
    for (let c = 0; c < 4; c++) {
      const from = (p * 3 + (c === 3 ? red : c)) * out;
      data.set(kernel.subarray(from, from + out), (p * 4 + c) * out);
    }
  }
  return { data, shape: [kh, kw, 4, out] };
}

function dropout(x: T, rate: number, seeds: LayerSeeds, name: string): T {
  return new SeededDropout({ rate, seed: seeds.next(), name }).apply(x) as T;
}

function dense(x: T, units: number, activation: 'relu' | 'sigmoid', seeds: LayerSeeds, name: string): T {
  return tf.layers.dense({ name, units, activation, kernelInitializer: glorot(seeds), biasInitializer: 'zeros' }).apply(x) as T;
}

export function buildTransferModel(name: TransferModelName, o: TransferOptions): tf.LayersModel {
  const channels = o.fourChannels ?? DEFAULT_FOUR_CHANNELS;
  const head = o.head ?? DEFAULT_HEAD;
  // the backbone's layers take seeds first, so its initial weights do not depend on the options around it
  const backboneSeeds = new LayerSeeds(o.seed);
  const studioSeeds = new LayerSeeds(o.seed === undefined ? undefined : o.seed + 7919);
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 4], name: 'hpa_input' });
  let x: T = input;
  let adapter: tf.layers.Layer | null = null;
  if (channels === 'rgb') x = new ChannelSelect({ channels: [0, 1, 2], name: 'hpa_rgb' }).apply(x) as T;
  else if (channels === 'adapter') {
    adapter = tf.layers.conv2d({ name: 'hpa_adapter', filters: 3, kernelSize: 1, useBias: true });
    x = adapter.apply(x) as T;
  } else if (channels !== 'widen') throw new Error(`fourChannels must be 'rgb', 'widen' or 'adapter', got '${String(channels)}'`);
  x = new ImagenetPreprocess({ mode: PREPROCESSING[name], name: 'hpa_preprocess' }).apply(x) as T;
  if (head === 'seed') x = tf.layers.batchNormalization({ name: 'hpa_head_bn', axis: -1 }).apply(x) as T;
  x = applyBackbone(name, x, backboneSeeds, o);
  if (head === 'seed') {
    x = tf.layers.conv2d({ name: 'hpa_head_conv', filters: 32, kernelSize: 1, activation: 'relu', kernelInitializer: glorot(studioSeeds) }).apply(x) as T;
    x = tf.layers.flatten({ name: 'hpa_head_flatten' }).apply(x) as T;
    x = dropout(x, 0.5, studioSeeds, 'hpa_head_dropout1');
    x = dense(x, 1024, 'relu', studioSeeds, 'hpa_head_fc1');
    x = dropout(x, 0.5, studioSeeds, 'hpa_head_dropout2');
  } else if (head === 'gap') {
    x = tf.layers.globalAveragePooling2d({ name: 'hpa_head_gap' }).apply(x) as T;
    x = dropout(x, 0.5, studioSeeds, 'hpa_head_dropout');
  } else throw new Error(`head must be 'seed' or 'gap', got '${String(head)}'`);
  const out = dense(x, o.classes, 'sigmoid', studioSeeds, 'hpa_head_out');
  const model = tf.model({ inputs: input, outputs: out, name });
  if (adapter) {
    const k = new Float32Array(12);
    for (let c = 0; c < 3; c++) k[c * 3 + c] = 1;
    const ws = [tf.tensor4d(k, [1, 1, 4, 3]), tf.zeros([3])];
    adapter.setWeights(ws);
    tf.dispose(ws);
  }
  if (channels === 'widen') {
    const conv = model.getLayer(firstConvLayer(name));
    const [kernel, ...rest] = conv.getWeights();
    const [kh, kw, , outC] = kernel.shape;
    // as widenFirstConvKernel does, in tensor ops: no read-back at build (a synchronous read stalls a GPU backend)
    const red = PREPROCESSING[name] === 'caffe' ? 2 : 0;
    const widened = tf.tidy(() => {
      const three = tf.slice(kernel, [0, 0, 0, 0], [kh, kw, 3, outC]);
      return tf.concat([three, tf.slice(three, [0, 0, red, 0], [kh, kw, 1, outC])], 2);
    });
    conv.setWeights([widened, ...rest]); // getWeights' tensors are the layer's own: not disposed here
    widened.dispose();
  }
  useKerasBatchNormIn(model);
  return model;
}

/** Whether a (loaded) model is a studio transfer model: its input layer is `hpa_input`. */
export function isTransferLayersModel(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.name === 'hpa_input');
}
