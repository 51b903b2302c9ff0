/**
 * MobileNetV2 without its top, as Keras Applications builds it (keras/applications/mobilenet_v2.py):
 * Conv1 (3×3 stride 2 'same') → 17 inverted-residual blocks (expand 1×1 → depthwise 3×3 → project
 * 1×1, ReLU6, BatchNorm ε 1e-3 momentum 0.999, a residual add where shapes allow) → Conv_1 1×1.
 * Stride-2 depthwise convs are preceded by `block_N_pad` (correct_pad: the extra pixel at the end).
 * Width multiplier alpha scales every layer (the last conv only when alpha > 1), channels rounded
 * to multiples of 8 as Keras's _make_divisible does.
 */
import { batchNorm, conv, correctPad, depthwise, add, relu6, zeroPad, type LayerSeeds, type T } from './layerMakers';

export const MOBILENETV2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4] as const;

/** Keras's _make_divisible: nearest multiple of the divisor, never more than 10% below v. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

const BN = { epsilon: 1e-3, momentum: 0.999 };

/** [filters, stride, expansion] of blocks 0 … 16 */
const BLOCKS: readonly [number, number, number][] = [
  [16, 1, 1],
  [24, 2, 6],
  [24, 1, 6],
  [32, 2, 6],
  [32, 1, 6],
  [32, 1, 6],
  [64, 2, 6],
  [64, 1, 6],
  [64, 1, 6],
  [64, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [96, 1, 6],
  [160, 2, 6],
  [160, 1, 6],
  [160, 1, 6],
  [320, 1, 6],
];

function invertedResBlock(inputs: T, seeds: LayerSeeds, alpha: number, filters: number, stride: number, expansion: number, id: number): T {
  const inChannels = inputs.shape[3] as number;
  const outChannels = makeDivisible(Math.trunc(filters * alpha));
  let x = inputs;
  let prefix = `block_${id}_`;
  if (id) {
    x = conv(x, seeds, { name: `${prefix}expand`, filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false });
    x = batchNorm(x, { name: `${prefix}expand_BN`, ...BN });
    x = relu6(x, `${prefix}expand_relu`);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = zeroPad(x, `${prefix}pad`, correctPad(x, 3));
  x = depthwise(x, seeds, { name: `${prefix}depthwise`, strides: stride, padding: stride === 1 ? 'same' : 'valid' });
  x = batchNorm(x, { name: `${prefix}depthwise_BN`, ...BN });
  x = relu6(x, `${prefix}depthwise_relu`);
  x = conv(x, seeds, { name: `${prefix}project`, filters: outChannels, kernelSize: 1, padding: 'same', useBias: false });
  x = batchNorm(x, { name: `${prefix}project_BN`, ...BN });
  return inChannels === outChannels && stride === 1 ? add([inputs, x], `${prefix}add`) : x;
}

export function mobileNetV2(input: T, seeds: LayerSeeds, alpha = 1.0): T {
  if (!(MOBILENETV2_ALPHAS as readonly number[]).includes(alpha))
    throw new Error(`MobileNetV2 alpha must be one of ${MOBILENETV2_ALPHAS.join(', ')}, got ${alpha}`);
  let x = conv(input, seeds, { name: 'Conv1', filters: makeDivisible(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false });
  x = batchNorm(x, { name: 'bn_Conv1', ...BN });
  x = relu6(x, 'Conv1_relu');
  BLOCKS.forEach(([filters, stride, expansion], id) => {
    x = invertedResBlock(x, seeds, alpha, filters, stride, expansion, id);
  });
  x = conv(x, seeds, { name: 'Conv_1', filters: alpha > 1 ? makeDivisible(1280 * alpha) : 1280, kernelSize: 1, useBias: false });
  x = batchNorm(x, { name: 'Conv_1_bn', ...BN });
  return relu6(x, 'out_relu');
}
