/**
 * The four transfer backbones' structure as plain data (no tfjs): which ImageNet preprocessing each
 * expects, where its blocks start and end, and which layer is its first convolution. The freeze
 * schedule, the weights loader and the page read these; the builders next to this file produce
 * exactly these layer names (Keras Applications' names, so published weights map by name).
 *
 * Blocks, in network order (index 0 = the stem or first block):
 *  - vgg16: block1 … block5 (5 blocks).
 *  - resnet50: stem (conv1_*, pool1_*), then conv2_block1 … conv5_block3 (17 blocks).
 *  - inceptionv3: stem (conv2d_1 … conv2d_5 and two max pools), then mixed0 … mixed10 (12 blocks).
 *    Keras names InceptionV3's layers automatically (conv2d_N, batch_normalization_N,
 *    activation_N, max_pooling2d_N, average_pooling2d_N, concatenate_N), numbered in the order its
 *    source creates them; INCEPTION_V3_PLAN gives how many of each every block creates.
 *  - mobilenetv2: stem (Conv1, bn_Conv1, Conv1_relu), expanded_conv, block_1 … block_16, and the
 *    final 1×1 conv Conv_1 (with Conv_1_bn, out_relu) as the last block (19 blocks).
 */

export const TRANSFER_MODELS = ['vgg16', 'resnet50', 'inceptionv3', 'mobilenetv2'] as const;
export type TransferModelName = (typeof TRANSFER_MODELS)[number];

export function isTransferModel(name: string): name is TransferModelName {
  return (TRANSFER_MODELS as readonly string[]).includes(name);
}

/** Keras's imagenet_utils modes: 'caffe' = RGB→BGR minus the ImageNet means, 'tf' = x/127.5 − 1. */
export type ImagenetPreprocessing = 'caffe' | 'tf';

export const PREPROCESSING: Record<TransferModelName, ImagenetPreprocessing> = {
  vgg16: 'caffe',
  resnet50: 'caffe',
  inceptionv3: 'tf',
  mobilenetv2: 'tf',
};

/** Caffe's ImageNet channel means in the order the network sees them (B, G, R). */
export const CAFFE_BGR_MEANS = [103.939, 116.779, 123.68] as const;

/** How many layers of each auto-named kind every InceptionV3 block creates (conv2d, batch_normalization and activation come in threes). */
export const INCEPTION_V3_PLAN: readonly { block: string; convs: number; maxPools: number; avgPools: number; concats: number }[] = [
  { block: 'stem', convs: 5, maxPools: 2, avgPools: 0, concats: 0 },
  { block: 'mixed0', convs: 7, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed1', convs: 7, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed2', convs: 7, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed3', convs: 4, maxPools: 1, avgPools: 0, concats: 0 },
  { block: 'mixed4', convs: 10, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed5', convs: 10, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed6', convs: 10, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed7', convs: 10, maxPools: 0, avgPools: 1, concats: 0 },
  { block: 'mixed8', convs: 6, maxPools: 1, avgPools: 0, concats: 0 },
  { block: 'mixed9', convs: 9, maxPools: 0, avgPools: 1, concats: 1 },
  { block: 'mixed10', convs: 9, maxPools: 0, avgPools: 1, concats: 1 },
];

/**
 * The number the published InceptionV3 notop file gives the first layer of each auto-named kind:
 * it was written by Keras 2.0 (2017), whose automatic names start at `conv2d_1` (tf.keras starts at
 * `conv2d`, then `conv2d_1`). Matching by name needs this; Keras's own loader matches by order.
 */
export const INCEPTION_V3_FIRST_INDEX = 1;

const RESNET50_STAGES = [
  ['conv2', 3],
  ['conv3', 4],
  ['conv4', 6],
  ['conv5', 3],
] as const;

const NAMES: Record<TransferModelName, readonly string[]> = {
  vgg16: [1, 2, 3, 4, 5].map((i) => `block${i}`),
  resnet50: ['stem', ...RESNET50_STAGES.flatMap(([s, n]) => Array.from({ length: n }, (_, i) => `${s}_block${i + 1}`))],
  inceptionv3: INCEPTION_V3_PLAN.map((b) => b.block),
  mobilenetv2: ['stem', 'expanded_conv', ...Array.from({ length: 16 }, (_, i) => `block_${i + 1}`), 'Conv_1'],
};

function transferName(model: string): TransferModelName {
  if (!isTransferModel(model)) throw new Error(`'${model}' is not a transfer model (${TRANSFER_MODELS.join(', ')})`);
  return model;
}

/** The backbone's blocks in network order, as the page names them. */
export function blockNames(model: string): string[] {
  return [...NAMES[transferName(model)]];
}

export function backboneBlockCount(model: string): number {
  return NAMES[transferName(model)].length;
}

/** The backbone convolution that reads the image (the one widened to 4 input channels). */
export function firstConvLayer(model: string): string {
  return { vgg16: 'block1_conv1', resnet50: 'conv1_conv', inceptionv3: `conv2d_${INCEPTION_V3_FIRST_INDEX}`, mobilenetv2: 'Conv1' }[transferName(model)];
}

/** InceptionV3's auto-named layer `<kind>_<n>` → its block index, from the plan's counts. */
function inceptionBlock(layerName: string): number | null {
  if (/^mixed\d+$/.test(layerName)) return Number(layerName.slice(5)) + 1;
  if (/^mixed9_[01]$/.test(layerName)) return 10 + Number(layerName.slice(7));
  const m = /^(conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|concatenate)_(\d+)$/.exec(layerName);
  if (!m) return null;
  const key = {
    conv2d: 'convs',
    batch_normalization: 'convs',
    activation: 'convs',
    max_pooling2d: 'maxPools',
    average_pooling2d: 'avgPools',
    concatenate: 'concats',
  }[m[1]] as 'convs' | 'maxPools' | 'avgPools' | 'concats';
  let n = Number(m[2]) - INCEPTION_V3_FIRST_INDEX;
  for (let b = 0; b < INCEPTION_V3_PLAN.length; b++) {
    if (n < INCEPTION_V3_PLAN[b][key]) return b;
    n -= INCEPTION_V3_PLAN[b][key];
  }
  return null;
}

function backboneBlock(model: TransferModelName, layerName: string): number | null {
  switch (model) {
    case 'vgg16': {
      const m = /^block([1-5])_/.exec(layerName);
      return m ? Number(m[1]) - 1 : null;
    }
    case 'resnet50': {
      if (/^(conv1|pool1)_/.test(layerName)) return 0;
      const m = /^(conv[2-5]_block\d+)_/.exec(layerName);
      if (!m) return null;
      const i = NAMES.resnet50.indexOf(m[1]);
      return i < 0 ? null : i;
    }
    case 'inceptionv3':
      return inceptionBlock(layerName);
    case 'mobilenetv2': {
      if (/^(Conv1|bn_Conv1|Conv1_relu)$/.test(layerName)) return 0;
      if (layerName.startsWith('expanded_conv_')) return 1;
      if (/^(Conv_1|Conv_1_bn|out_relu)$/.test(layerName)) return 18;
      const m = /^block_(\d+)_/.exec(layerName);
      return m && Number(m[1]) >= 1 && Number(m[1]) <= 16 ? Number(m[1]) + 1 : null;
    }
  }
}

export interface LayerRole {
  part: 'studio' | 'head' | 'backbone';
  /** the backbone block (0 … blocks − 1, network order); null outside the backbone or for a name no block claims */
  block: number | null;
}

/**
 * What a layer of a transfer model is: `hpa_head_*` belong to the head (trained in every phase),
 * other `hpa_*` layers are the studio's (input, channel handling, preprocessing), everything else
 * is the backbone, with its block.
 */
export function layerRole(model: string, layerName: string): LayerRole {
  if (layerName.startsWith('hpa_head_')) return { part: 'head', block: null };
  if (layerName.startsWith('hpa_')) return { part: 'studio', block: null };
  return { part: 'backbone', block: backboneBlock(transferName(model), layerName) };
}

/**
 * The name a layer of the old ResNet50 (keras-applications' resnet50.py, whose v0.2 notop file
 * many seed folders hold: conv1, bn_conv1, res2a_branch2a, bn2a_branch1, …) has in Keras's
 * current ResNet50 (conv1_conv, conv1_bn, conv2_block1_1_conv, conv2_block1_0_bn, …); null for a
 * name of neither kind. The old model used BatchNorm epsilon 1e-3, the current one 1.001e-5.
 */
export function resnet50CurrentName(oldName: string): string | null {
  if (oldName === 'conv1') return 'conv1_conv';
  if (oldName === 'bn_conv1') return 'conv1_bn';
  const m = /^(res|bn)([2-5])([a-f])_branch(1|2a|2b|2c)$/.exec(oldName);
  if (!m) return null;
  const part = { '1': '0', '2a': '1', '2b': '2', '2c': '3' }[m[4]];
  return `conv${m[2]}_block${m[3].charCodeAt(0) - 96}_${part}_${m[1] === 'res' ? 'conv' : 'bn'}`;
}
